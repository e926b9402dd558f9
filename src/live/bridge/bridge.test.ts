/**
 * The bridge over real loopback sockets: a Node WebSocket client, a Torsion Site serving the bridge,
 * and a Torsion line server on 127.0.0.1.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Failure } from '../../defer/index.js';
import { TCPClientEndpoint } from '../../internet/endpoints/stream-endpoints.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { Resource } from '../../web/resource.js';
import { Site } from '../../web/site.js';
import { connectWebSocket } from '../../web/websocket/client.js';
import { WebSocketClosedError, WebSocketHandshakeError } from '../../web/websocket/errors.js';
import { WebSocketProtocol } from '../../web/websocket/protocol.js';
import { allowTCPDestinations, WebSocketBridgeResource } from './resource.js';
import { listenLines } from './test-support/line-server.js';

/** A page stand-in: collects what the bridge sends as text, and how the connection ended. */
class Page extends WebSocketProtocol {
  received = '';
  #waiters: { text: string; resolve: () => void }[] = [];
  closed: Promise<WebSocketClosedError>;
  #close!: (e: WebSocketClosedError) => void;
  constructor() {
    super();
    this.closed = new Promise((resolve) => (this.#close = resolve));
  }
  send(text: string): void {
    this.transport.sendBytesMessage(new TextEncoder().encode(text));
  }
  override bytesMessageReceived(data: Uint8Array): void {
    this.received += new TextDecoder().decode(data);
    this.#waiters = this.#waiters.filter((w) => !(this.received.includes(w.text) && (w.resolve(), true)));
  }
  until(text: string): Promise<void> {
    if (this.received.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ text, resolve }));
  }
  override connectionLost(reason: Failure): void {
    this.#close(reason.value as WebSocketClosedError);
  }
}

describe('WebSocketBridgeResource over loopback', () => {
  const lines = listenLines();
  let web: IListeningPort;
  let base: string;
  let closedPort: number;

  before(async () => {
    const spare = reactor.listenTCP(0, lines.factory, { interface: '127.0.0.1' });
    closedPort = (spare.getHost() as unknown as { port: number }).port;
    await spare.stopListening();
    const root = new Resource();
    // A long close timeout: a close that waited on it would hang the test instead of passing late.
    root.putChild('bridge', new WebSocketBridgeResource(new TCPClientEndpoint(reactor, '127.0.0.1', lines.number), { closeTimeout: 600 }));
    root.putChild('pick', new WebSocketBridgeResource(allowTCPDestinations(reactor, [`127.0.0.1:${lines.number}`])));
    root.putChild('nowhere', new WebSocketBridgeResource(new TCPClientEndpoint(reactor, '127.0.0.1', closedPort)));
    web = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    base = `ws://127.0.0.1:${(web.getHost() as unknown as { port: number }).port}`;
  });

  after(async () => {
    await web.stopListening();
    await lines.port.stopListening();
  });

  test('lines both ways, a large one each way, and the page closing closes the TCP connection', async () => {
    const page = await connectWebSocket(`${base}/bridge`, new Page(), { reactor });
    page.send('hel');
    page.send('lo\r\n');
    await page.until('echo: hello\r\n');
    page.send(`${'y'.repeat(300_000)}\r\nbig 500000\r\n`);
    await page.until('echo: 300000 bytes\r\n');
    await page.until(`${'x'.repeat(500_000)}\r\n`);
    const lost = lines.factory.nextLoss();
    page.transport.loseConnection();
    const serverSide = await lost;
    assert.equal(serverSide.value.name, 'ConnectionDone');
    const closed = await page.closed;
    assert.equal(closed.closeCode, 1000);
    assert.equal(closed.wasClean, true);
  });

  test('the TCP server closing closes the page cleanly, after what it sent', async () => {
    const page = await connectWebSocket(`${base}/bridge`, new Page(), { reactor });
    page.send('bye\r\nquit\r\n');
    const closed = await page.closed;
    assert.equal(page.received, 'echo: bye\r\n');
    assert.equal(closed.closeCode, 1000);
    assert.equal(closed.wasClean, true);
  });

  test('the allow-list admits the listed destination and refuses others with 403', async () => {
    const page = await connectWebSocket(`${base}/pick?to=127.0.0.1:${lines.number}`, new Page(), { reactor });
    page.send('picked\r\n');
    await page.until('echo: picked\r\n');
    page.transport.loseConnection();
    await page.closed;
    for (const to of [`127.0.0.1:${closedPort}`, `localhost:${lines.number}`, '']) {
      const refused = await connectWebSocket(`${base}/pick?to=${to}`, new Page(), { reactor }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(refused instanceof WebSocketHandshakeError, `refused ${to}`);
      assert.equal(refused.status, 403);
    }
  });

  test('a text message closes the page with 1003 and the TCP connection with it', async () => {
    const page = await connectWebSocket(`${base}/bridge`, new Page(), { reactor });
    page.send('first\r\n');
    await page.until('echo: first\r\n');
    const lost = lines.factory.nextLoss();
    page.transport.sendTextMessage('text is not bytes');
    const closed = await page.closed;
    assert.equal(closed.closeCode, 1003);
    assert.equal((await lost).value.name, 'ConnectionDone');
  });

  test('an unreachable destination closes the page with 1014', async () => {
    const page = await connectWebSocket(`${base}/nowhere`, new Page(), { reactor });
    const closed = await page.closed;
    assert.equal(closed.closeCode, 1014);
    assert.equal(closed.reason, 'destination unreachable');
  });
});
