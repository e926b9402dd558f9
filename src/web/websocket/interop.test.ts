/**
 * Interop with the `ws` package, a WebSocket implementation nobody here wrote: `ws` as the client of a
 * Torsion `WebSocketResource`, and as the server for `connectWebSocket`. Loopback only, ephemeral ports.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { reactor } from '../../internet/reactor.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import type { WebSocketOptions } from './interfaces.js';
import { WebSocketResource } from './resource.js';
import { Awaiting, Echo } from './test-support.js';
import { eventually } from '../../testing/index.js';

/** A `ws` client whose messages can be awaited. */
function wsClient(url: string, options: WebSocket.ClientOptions = {}, protocols: string[] = []) {
  const ws = new WebSocket(url, protocols, options);
  const queue: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  const push = (m: string | Buffer) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => push(isBinary ? data : data.toString('utf8')));
  ws.on('pong', (data: Buffer) => push(`pong:${data.toString()}`));
  const closed = once(ws, 'close') as Promise<[number, Buffer]>;
  return {
    ws,
    open: once(ws, 'open'),
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<string | Buffer>((r) => waiters.push(r))),
    closed: closed.then(([code, reason]) => ({ code, reason: reason.toString() })),
  };
}

async function torsionServer(options: WebSocketOptions, body: (url: string, servers: Echo[]) => Promise<void>): Promise<void> {
  const servers: Echo[] = [];
  const root = new Resource();
  root.putChild('echo', new WebSocketResource(() => servers[servers.push(new Echo()) - 1]!, options));
  const port: IListeningPort = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  try {
    await body(`ws://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/echo`, servers);
  } finally {
    await port.stopListening();
  }
}

async function wsServer(options: WebSocket.ServerOptions, body: (url: string, server: WebSocketServer) => Promise<void>): Promise<void> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await once(server, 'listening');
  try {
    await body(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, server);
  } finally {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
}

describe('ws client against a Torsion server', () => {
  test('text, binary, fragmented, ping, subprotocol and close codes both ways', async () => {
    await torsionServer({ subprotocols: ['chat'] }, async (url, servers) => {
      const c = wsClient(url, {}, ['other', 'chat']);
      await c.open;
      assert.equal(c.ws.protocol, 'chat');
      c.ws.send('hello €');
      assert.equal(await c.next(), 'hello €');
      c.ws.send(Buffer.from([0, 1, 2, 255]));
      assert.deepEqual([...((await c.next()) as Buffer)], [0, 1, 2, 255]);
      c.ws.send('frag', { fin: false });
      c.ws.send('ment', { fin: false });
      c.ws.send('ed', { fin: true });
      assert.equal(await c.next(), 'fragmented');
      c.ws.ping('beat');
      assert.equal(await c.next(), 'pong:beat');
      c.ws.close(4001, 'client done');
      assert.deepEqual(await c.closed, { code: 4001, reason: '' });
      // The server's TCP close waits for the client's FIN, which may come after the client saw its close.
      await eventually(() => servers[0]!.lost !== null, { timeout: 10 });
      assert.equal(servers[0]!.lost?.closeCode, 4001);
      assert.equal(servers[0]!.lost?.reason, 'client done');
      assert.equal(servers[0]!.lost?.wasClean, true);

      const d = wsClient(url);
      await d.open;
      await new Promise((r) => setImmediate(r));
      servers[1]!.transport.loseConnection(4002, 'server done');
      assert.deepEqual(await d.closed, { code: 4002, reason: 'server done' });
    });
  });

  test('permessage-deflate: ws compresses to us and inflates what we compress', async () => {
    await torsionServer({ perMessageDeflate: { threshold: 0 } }, async (url, servers) => {
      const c = wsClient(url, { perMessageDeflate: { threshold: 0 } });
      await c.open;
      assert.match(c.ws.extensions, /permessage-deflate/);
      const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i, s: 'abc' })));
      for (let round = 0; round < 3; round++) {
        c.ws.send(big);
        assert.equal(await c.next(), big);
      }
      c.ws.send(Buffer.alloc(50_000, 9));
      assert.ok(Buffer.alloc(50_000, 9).equals((await c.next()) as Buffer));
      assert.match(servers[0]!.transport.extensions ?? '', /permessage-deflate/);
      c.ws.close();
      assert.equal((await c.closed).code, 1005);
    });
  });

  test('a frame over maxMessageSize closes the ws client with 1009', async () => {
    await torsionServer({ maxMessageSize: 1000 }, async (url) => {
      const c = wsClient(url);
      await c.open;
      c.ws.send(Buffer.alloc(2000));
      assert.equal((await c.closed).code, 1009);
    });
  });
});

describe('connectWebSocket against a ws server', () => {
  test('text, binary, fragments from ws, pings from ws, close codes both ways', async () => {
    await wsServer({ handleProtocols: (set) => (set.has('chat') ? 'chat' : false) }, async (url, server) => {
      const peers: WebSocket[] = [];
      const pings: string[] = [];
      server.on('connection', (ws) => {
        peers.push(ws);
        ws.on('pong', (d: Buffer) => pings.push(d.toString()));
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary && data.toString() === 'fragments please') {
            ws.send('one ', { fin: false });
            ws.send('two ', { fin: false });
            ws.send('three', { fin: true });
          } else ws.send(data, { binary: isBinary });
        });
      });
      const client = await connectWebSocket(url, new Awaiting(), { subprotocols: ['chat'], fragmentSize: 10 });
      assert.equal(client.transport.subprotocol, 'chat');
      client.transport.sendTextMessage('a text longer than ten bytes, sent in fragments');
      assert.equal(await client.next(), 'a text longer than ten bytes, sent in fragments');
      client.transport.sendBytesMessage(Buffer.from([9, 8, 7]));
      assert.deepEqual([...((await client.next()) as Buffer)], [9, 8, 7]);
      const unmaskedByWs = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff));
      const unfragmented = await connectWebSocket(url, new Awaiting());
      unfragmented.transport.sendBytesMessage(unmaskedByWs);
      assert.ok(unmaskedByWs.equals((await unfragmented.next()) as Buffer), 'ws unmasks our long masked frames');
      unfragmented.transport.loseConnection();
      await unfragmented.closed();
      client.transport.sendTextMessage('fragments please');
      assert.equal(await client.next(), 'one two three');
      peers[0]!.ping('from ws');
      await eventually(() => pings.length > 0, { message: 'the ping from ws never arrived' });
      assert.deepEqual(pings, ['from ws']);
      client.transport.loseConnection(4003, 'bye');
      const closed = await client.closed();
      assert.equal(closed.closeCode, 4003);
      assert.equal(closed.wasClean, true);

      const second = await connectWebSocket(url, new Awaiting());
      await new Promise((r) => setImmediate(r));
      peers[2]!.close(4004, 'ws says bye');
      const c2 = await second.closed();
      assert.deepEqual([c2.closeCode, c2.reason, c2.wasClean], [4004, 'ws says bye', true]);
    });
  });

  test('permessage-deflate both ways with a ws server, with and without context takeover', async () => {
    for (const serverNoContextTakeover of [false, true]) {
      await wsServer({ perMessageDeflate: { threshold: 0, serverNoContextTakeover } }, async (url, server) => {
        let compressedSeen = false;
        server.on('connection', (ws, req) => {
          compressedSeen = /permessage-deflate/.test(String(req.headers['sec-websocket-extensions']));
          ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
        });
        const client = await connectWebSocket(url, new Awaiting(), { perMessageDeflate: { threshold: 0 } });
        assert.equal(compressedSeen, true);
        assert.match(client.transport.extensions ?? '', /permessage-deflate/);
        const message = 'deflate me '.repeat(1000);
        for (let i = 0; i < 3; i++) {
          client.transport.sendTextMessage(message);
          assert.equal(await client.next(), message);
        }
        client.transport.loseConnection();
        assert.equal((await client.closed()).wasClean, true);
      });
    }
  });
});
