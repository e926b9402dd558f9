/**
 * WebSockets over real loopback sockets (127.0.0.1, ephemeral ports): Torsion client against Torsion
 * server, over TCP and TLS.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { reactor } from '../../internet/reactor.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { eventually, selfSignedCertificate } from '../../testing/index.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import { WebSocketHandshakeError } from './errors.js';
import type { WebSocketOptions } from './interfaces.js';
import { WebSocketResource } from './resource.js';
import { WebSocketProtocol } from './protocol.js';
import { Awaiting, Echo, frame, upgradeRequest } from './test-support.js';

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

/** Keeps what it is handed as it is handed (no copy), to prove it stays intact after later reads. */
class Keeper extends WebSocketProtocol {
  kept: Uint8Array[] = [];
  override bytesMessageReceived(data: Uint8Array): void {
    this.kept.push(data);
  }
  override pongReceived(payload: Uint8Array): void {
    this.kept.push(payload);
  }
}

/** A bare TCP client that has done the opening handshake with the server at `port`. */
async function rawClient(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write(upgradeRequest('/keep'));
  let head = '';
  while (!head.includes('\r\n\r\n')) head += String((await once(socket, 'data'))[0]);
  assert.match(head, /^HTTP\/1\.1 101 /);
  return socket;
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

  test('TCP: what a protocol keeps from a read, and a frame split across reads, survive the reads of other connections', async () => {
    const keepers: Keeper[] = [];
    const root = new Resource();
    root.putChild('keep', new WebSocketResource(() => keepers[keepers.push(new Keeper()) - 1]!, { pingInterval: 0 }));
    const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    const sockets: Socket[] = [];
    try {
      const [one, two] = [await rawClient(portOf(port)), await rawClient(portOf(port))];
      sockets.push(one, two);
      const [a, b, c, pong] = ['a', 'b', 'c', 'p'].map((ch, i) => Buffer.alloc(i === 1 ? 40_000 : 40 + i * 300, ch));
      const fb = frame(0x2, b!);
      one.write(Buffer.concat([frame(0x2, a!), frame(0xa, pong!.subarray(0, 100))]));
      await eventually(() => keepers[0]!.kept.length === 2, { timeout: 5 });
      // A read holding nothing but most of a frame (given time to arrive; if it has not, nothing is shown).
      one.write(fb.subarray(0, 30_000));
      await new Promise((r) => setTimeout(r, 50));
      // Connection two's reads go through the same buffer while one's frame b is half read.
      for (let i = 0; i < 3; i++) {
        two.write(frame(0x2, c!));
        await eventually(() => keepers[1]!.kept.length === i + 1, { timeout: 5 });
      }
      one.write(fb.subarray(30_000));
      await eventually(() => keepers[0]!.kept.length === 3, { timeout: 5 });
      assert.deepEqual(keepers[0]!.kept.map((k) => Buffer.from(k).toString()), [a!.toString(), pong!.subarray(0, 100).toString(), b!.toString()]);
      assert.deepEqual(keepers[1]!.kept.map((k) => Buffer.from(k).toString()), [c!.toString(), c!.toString(), c!.toString()]);
    } finally {
      for (const s of sockets) s.destroy();
      await port.stopListening();
    }
  });
});
