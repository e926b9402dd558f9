/**
 * Write backpressure: a page that does not read what it is sent. Over the in-memory loopback with water
 * marks (WebSocket) and through the polling resource (long polling), on a fake clock: the page's messages
 * wait in its session instead of piling up in the transport, and a connection that stays full for
 * `stallTimeout` seconds is closed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReactor, successResultOf } from '../testing/index.js';
import { Clock } from '../testing/index.js';
import { Site } from '../web/index.js';
import { connectWebSocket } from '../web/websocket/index.js';
import { Recorder as WebSocketRecorder } from '../web/websocket/test-support.js';
import type { LiveEndpoint } from './endpoint.js';
import { LivePage } from './page.js';
import { encodeHello } from './shared/frames.js';
import { Recorder } from './test-support/recorder.js';

/** A page's WebSocket that says HELLO and then reads only while the test lets it. */
class Tab extends WebSocketRecorder {
  constructor(readonly pageId: string) {
    super();
  }
  override negotiationFinished(): void {
    this.transport.sendTextMessage(encodeHello(this.pageId, 0));
  }
}

function websocketSetup() {
  const reactor = new MemoryReactor();
  const page = new LivePage({ clock: reactor.clock, heartbeatInterval: 0, gracePeriod: 120, element: () => new Recorder() });
  const { connection } = successResultOf(page.load(null, '/_live/'));
  const tab = new Tab(connection.id);
  const d = connectWebSocket('ws://localhost/_live/ws', tab, { reactor, pingInterval: 0 });
  const { pump } = reactor.tcpClients[0]!.connector.connectTo(new Site(page, { accessLog: false, clock: reactor.clock }), { highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024 });
  pump.flush();
  successResultOf(d);
  return { reactor, page, connection, tab, pump, root: connection.widget(1) as Recorder, endpoint: () => connection.socket as LiveEndpoint | null };
}

describe('WebSocket write backpressure', () => {
  test('messages to a page that stops reading wait in its session; they all arrive in order once it reads again', () => {
    const { connection, tab, pump, root, endpoint } = websocketSetup();
    assert.deepEqual(tab.texts, ['[0,0]']);
    tab.transport.pauseProducing();
    for (let i = 0; i < 40; i++) void root.callRemote('record', `${i} ${'z'.repeat(16 * 1024)}`);
    pump.flush();
    assert.equal(endpoint()!.sendingPaused, true, 'the transport reported a full buffer');
    assert.equal(connection.session.sendingPaused, true);
    assert.equal(connection.session.unackedCount, 40);
    tab.transport.resumeProducing();
    pump.flush();
    const calls = tab.texts.slice(1).map((t) => (JSON.parse(t) as [number, number, number, [string, number, number, string, string[]]])[3][4][0]!.split(' ')[0]);
    assert.deepEqual(calls, Array.from({ length: 40 }, (_, i) => String(i)));
    assert.equal(endpoint()!.sendingPaused, false);
  });

  test('a page that does not read for stallTimeout seconds loses its connection; the page waits for its grace period', () => {
    const { reactor, connection, tab, pump, root } = websocketSetup();
    tab.transport.pauseProducing();
    for (let i = 0; i < 10; i++) void root.callRemote('record', 'z'.repeat(16 * 1024));
    pump.flush();
    reactor.clock.advance(19);
    pump.flush();
    assert.equal(connection.isConnected, true);
    reactor.clock.advance(1);
    pump.flush();
    assert.equal(connection.isConnected, false, 'closed as stalled');
    assert.equal(connection.isGone, false);
    assert.equal(connection.session.unackedCount, 10, 'kept for the next connection');
  });

  test('a page that sends without reading is not read either while its answers cannot go out', () => {
    const { tab, pump, root, endpoint } = websocketSetup();
    tab.transport.pauseProducing();
    for (let i = 0; i < 10; i++) void root.callRemote('record', 'z'.repeat(16 * 1024));
    pump.flush();
    assert.equal(endpoint()!.sendingPaused, true);
    const received = root.received.length;
    for (let i = 0; i < 200; i++) tab.transport.sendTextMessage(`[1,${i + 1},0,["c",${i + 1},1,"record",[${i}]]]`);
    pump.flush();
    assert.equal(root.received.length, received, 'no call was read while the page was not reading');
  });
});

describe('long-polling backpressure', () => {
  test('frames past pollHighWater wait in the session; a page that does not come to take them is closed after stallTimeout', async () => {
    const clock = new Clock();
    const page = new LivePage({ clock, heartbeatInterval: 0, gracePeriod: 120, pollTimeout: 20, element: () => new Recorder() });
    const site = new Site(page, { accessLog: false, clock });
    const { connection } = successResultOf(page.load(null, '/_live/'));
    const opened = await site.request('POST', '/_live/poll?s=new', { body: JSON.stringify([encodeHello(connection.id, 0)]) });
    const id = (JSON.parse(opened.text) as { s: string }).s;
    const root = connection.widget(1)!;
    for (let i = 0; i < 20; i++) void root.callRemote('record', `${i} ${'z'.repeat(16 * 1024)}`);
    assert.equal(connection.session.sendingPaused, true);
    const first = JSON.parse((await site.request('GET', `/_live/poll?s=${id}`)).text) as string[];
    assert.ok(first.length > 1 && first.length < 10, `one batch of ${first.length} frames`);
    assert.equal(connection.session.sendingPaused, true, 'the next batch filled the outbox again');
    clock.advance(20);
    assert.equal(connection.isConnected, false, 'closed as stalled');
    assert.equal(page.polling.socketCount, 0);
  });
});
