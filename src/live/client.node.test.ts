/**
 * `LiveClient` in Node (no DOM) against a real server on 127.0.0.1: over `ws` and over long polling with
 * Node's fetch; reconnection after drops, fallback, and the page being gone.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { reactor } from '../internet/index.js';
import { Site } from '../web/index.js';
import { LiveClient, type WebSocketConstructor } from './client/index.js';
import { callRemoteAll } from './broadcast.js';
import { LivePage } from './page.js';
import { PageGone, RemoteError } from './shared/errors.js';
import { Recorder } from './test-support/recorder.js';

class Receiver {
  static exposed = ['record'];
  readonly received: unknown[] = [];
  record(v: unknown): unknown {
    this.received.push(v);
    return v;
  }
}

const roots: Recorder[] = [];
const page = new LivePage({ heartbeatInterval: 0.3, heartbeatTimeout: 3, gracePeriod: 30, element: () => {
  const r = new Recorder();
  roots.push(r);
  return r;
} });
const port = reactor.listenTCP(0, new Site(page, { accessLog: false }), { interface: '127.0.0.1' });
const base = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/_live/`;
after(async () => {
  page.close();
  await port.stopListening();
});

/** A WebSocket that never gets through (a proxy that kills upgrades). */
class BlockedWebSocket {
  onopen: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(_url: string) {
    setTimeout(() => this.onclose?.({ code: 1006 }), 1);
  }
  send(): void {}
  close(): void {}
}

async function open(transports: ('websocket' | 'polling')[], ws: unknown = WebSocket) {
  const { connection, boot } = await page.load(null, base).asPromise();
  const client = new LiveClient({ ...boot, transports, WebSocket: ws as WebSocketConstructor, heartbeatInterval: 0.3, heartbeatTimeout: 3 });
  const receiver = new Receiver();
  client.registerWidget(1, receiver);
  const connected = new Promise((r) => client.addEventListener('connected', r, { once: true }));
  client.start();
  await connected;
  return { client, receiver, connection, root: roots.at(-1)! };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const transport of ['websocket', 'polling'] as const) {
  describe(`LiveClient in Node over ${transport}`, () => {
    test('calls both ways, and nothing lost across a dropped connection', async () => {
      const { client, receiver, connection, root } = await open([transport]);
      assert.equal(await client.callRemote(1, 'record', [4]), 8);
      await assert.rejects(client.callRemote(1, 'secret', []).asPromise(), (e: RemoteError) => e.type === 'NoSuchMethod');
      root.received.length = 0;
      const up = range(100).map((i) => client.callRemote(1, 'record', [i]).asPromise());
      const down = range(100).map((i) => root.callRemote('record', i).asPromise());
      connection.dropTransport();
      const more = range(50).map((i) => client.callRemote(1, 'record', [100 + i]).asPromise());
      assert.deepEqual(await Promise.all([...up, ...more]), range(150).map((i) => i * 2));
      assert.deepEqual(await Promise.all(down), range(100));
      assert.deepEqual(root.received, range(150));
      assert.deepEqual(receiver.received, range(100));
      assert.ok(connection.attachments >= 2, 'it reconnected');
      client.close();
    });
  });
}

describe('callRemoteAll to LiveClients', () => {
  test('every page gets each broadcast once, in order with its own calls, across dropped connections and both transports', async () => {
    const pages = [await open(['websocket']), await open(['websocket']), await open(['polling'])];
    const targets = pages.map((p) => p.root);
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 10) pages[0]!.connection.dropTransport();
      if (i === 25) pages[2]!.connection.dropTransport();
      sent.push(callRemoteAll(targets, 'record', i).asPromise());
      if (i % 10 === 5) sent.push(pages[1]!.root.callRemote('record', `own ${i}`).asPromise());
    }
    const results = (await Promise.all(sent)).filter(Array.isArray) as [boolean, unknown][][];
    assert.deepEqual(results, range(40).map((i) => [[true, i], [true, i], [true, i]]));
    assert.deepEqual(pages[0]!.receiver.received, range(40));
    assert.deepEqual(pages[1]!.receiver.received, range(40).flatMap((i) => (i % 10 === 5 ? [i, `own ${i}`] : [i])));
    assert.deepEqual(pages[2]!.receiver.received, range(40));
    assert.ok(pages[0]!.connection.attachments >= 2 && pages[2]!.connection.attachments >= 2, 'they reconnected');
    for (const p of pages) p.client.close();
  });
});

describe('LiveClient transports and the end of a page', () => {
  test('falls back to long polling when WebSockets never get through', async () => {
    const { client } = await open(['websocket', 'polling'], BlockedWebSocket);
    assert.equal(client.transport, 'polling');
    assert.equal(await client.callRemote(1, 'record', [1]), 2);
    client.close();
  });

  test('the server ending the page makes the client gone; its calls fail with PageGone', async () => {
    const { client, connection } = await open(['websocket']);
    const gone = new Promise<string>((r) => client.addEventListener('gone', (e) => r(String((e as CustomEvent).detail)), { once: true }));
    connection.disconnect('test over');
    assert.equal(await gone, 'test over');
    assert.equal(client.state, 'gone');
    await assert.rejects(client.callRemote(1, 'record', [1]).asPromise(), PageGone);
  });

  test('closing the client ends the page on the server', async () => {
    const { client, connection } = await open(['websocket']);
    const ended = connection.notifyOnDisconnect().asPromise();
    client.close();
    await ended;
    assert.equal(connection.isGone, true);
  });
});
