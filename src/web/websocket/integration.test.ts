/**
 * WebSockets over real loopback sockets (127.0.0.1, ephemeral ports): Torsion client against Torsion
 * server, over TCP and TLS.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor } from '../../internet/reactor.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { eventually, selfSignedCertificate } from '../../testing/index.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import { WebSocketHandshakeError } from './errors.js';
import type { WebSocketOptions } from './interfaces.js';
import { WebSocketResource } from './resource.js';
import { Awaiting, Echo } from './test-support.js';

function echoSite(options: WebSocketOptions = {}, server: Echo[] = []): Site {
  const root = new Resource();
  root.putChild(
    'echo',
    new WebSocketResource(() => {
      const p = new Echo();
      server.push(p);
      return p;
    }, options),
  );
  return new Site(root, { accessLog: false });
}

function portOf(port: IListeningPort): number {
  return (port.getHost() as unknown as { port: number }).port;
}

describe('WebSocket over loopback', () => {
  test('TCP: fragmented messages both ways, ping, close with a code', async () => {
    const server: Echo[] = [];
    const port = reactor.listenTCP(0, echoSite({ fragmentSize: 100, subprotocols: ['echo'] }, server), { interface: '127.0.0.1' });
    try {
      const client = await connectWebSocket(`ws://127.0.0.1:${portOf(port)}/echo`, new Awaiting(), { fragmentSize: 1000, subprotocols: ['echo'] });
      assert.equal(client.transport.subprotocol, 'echo');
      const text = 'ünïcödé '.repeat(600);
      client.transport.sendTextMessage(text);
      assert.equal(await client.next(), text);
      const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i & 0xff));
      client.transport.sendBytesMessage(bytes);
      assert.ok(bytes.equals((await client.next()) as Buffer));
      client.transport.ping(Buffer.from('hb'));
      assert.equal(await client.next(), 'pong:hb');
      client.transport.loseConnection(4321, 'done');
      const closed = await client.closed();
      assert.equal(closed.closeCode, 4321);
      assert.equal(closed.wasClean, true);
      assert.equal(server[0]!.texts[0], text);
      // The server's TCP close waits for the client's FIN, which may come after the client saw its close.
      await eventually(() => server[0]!.lost !== null, { timeout: 10 });
      assert.equal(server[0]!.lost?.closeCode, 4321);
      assert.equal(server[0]!.lost?.wasClean, true);
    } finally {
      await port.stopListening();
    }
  });

  test('TLS: wss with the server certificate trusted works; an untrusted one fails the handshake', async () => {
    const { key, cert } = selfSignedCertificate('localhost');
    const port = reactor.listenSSL(0, echoSite(), { key, cert }, { interface: '127.0.0.1' });
    try {
      const url = `wss://127.0.0.1:${portOf(port)}/echo`;
      const client = await connectWebSocket(url, new Awaiting(), { tlsOptions: { ca: cert } });
      client.transport.sendTextMessage('secure hello');
      assert.equal(await client.next(), 'secure hello');
      client.transport.loseConnection();
      assert.equal((await client.closed()).wasClean, true);
      await assert.rejects(connectWebSocket(url, new Awaiting()).asPromise(), /self.signed|certificate/i);
    } finally {
      await port.stopListening();
    }
  });

  test('a refused upgrade fails with the status', async () => {
    const port = reactor.listenTCP(0, echoSite(), { interface: '127.0.0.1' });
    try {
      const err = await connectWebSocket(`ws://127.0.0.1:${portOf(port)}/nowhere`, new Awaiting()).asPromise().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WebSocketHandshakeError);
      assert.equal(err.status, 404);
    } finally {
      await port.stopListening();
    }
  });
});
