/**
 * The server side without a browser or a socket: a `LivePage` on a fake `Clock`, pages loaded with `load`,
 * and transport connections played by `LiveEndpoint`s whose frames are read and written by the test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, failureResultOf, successResultOf, assertNoResult } from '../testing/index.js';
import { LivePage, type LivePageOptions } from './page.js';
import { LiveEndpoint } from './endpoint.js';
import { PageGone, RemoteError } from './shared/errors.js';
import { encodeHello } from './shared/frames.js';
import { readFrame } from './test-support/frames.js';
import { Badge, Recorder } from './test-support/recorder.js';

function setup(options: Partial<LivePageOptions> = {}) {
  const clock = new Clock();
  const roots: Recorder[] = [];
  const page = new LivePage({
    clock,
    gracePeriod: 10,
    heartbeatInterval: 2,
    heartbeatTimeout: 6,
    ...options,
    element: () => {
      const r = new Recorder();
      r.initialChildren = [new Badge('b')];
      roots.push(r);
      return r;
    },
  });
  return { clock, page, roots };
}

/** A transport connection the test plays the page's side of. */
function socket(page: LivePage) {
  const out: string[] = [];
  const closed: string[] = [];
  const endpoint = new LiveEndpoint(page, { sendLiveFrame: (f) => out.push(f), closeLiveTransport: (reason) => closed.push(reason) });
  return {
    endpoint,
    closed,
    frames: () => out.splice(0).map(readFrame),
    send: (frame: unknown) => endpoint.frameReceived(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  };
}

async function loaded(options: Partial<LivePageOptions> = {}) {
  const s = setup(options);
  const { connection, boot, html } = successResultOf(s.page.load(null, '/_live/'));
  return { ...s, connection, boot, html, root: s.roots[0]! };
}

describe('LivePage.load', () => {
  test('renders the widget tree with ids, classes and initial arguments, parents first', async () => {
    const { boot, html, connection } = await loaded();
    assert.deepEqual(
      boot.widgets.map((w) => [w.id, w.cls, w.parent, w.args, w.module]),
      [
        [1, 'Recorder', null, ['root'], true],
        [2, 'Badge', 1, ['b'], true],
      ],
    );
    assert.equal(boot.page, connection.id);
    assert.match(html, /^<div class="recorder" data-live-widget="1">/);
    assert.match(html, /<em class="badge" data-live-widget="2">/);
  });
});

describe('LiveConnection over a LiveEndpoint', () => {
  test('HELLO for an unknown page is answered GONE and closed', () => {
    const { page } = setup();
    const s = socket(page);
    s.send(encodeHello('nope', 0));
    assert.deepEqual(s.frames(), [[9, 'no such page']]);
    assert.deepEqual(s.closed, ['no such page']);
  });

  test('a connection that never says HELLO is closed after the heartbeat timeout', () => {
    const { page, clock } = setup();
    const s = socket(page);
    clock.advance(5.9);
    assert.deepEqual(s.closed, []);
    clock.advance(0.1);
    assert.deepEqual(s.closed, ['no HELLO']);
  });

  test('anything before HELLO, or garbage, closes the connection but not the page', async () => {
    const { page, connection } = await loaded();
    const s = socket(page);
    s.send('[1,1,0,["c",1,1,"record",[1]]]');
    assert.deepEqual(s.closed, ['protocol error']);
    const t = socket(page);
    t.send(encodeHello(connection.id, 0));
    t.send('not json');
    assert.deepEqual(t.closed, ['protocol error']);
    assert.equal(connection.isGone, false);
  });

  test('calls both ways through the frames', async () => {
    const { page, connection, root } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    assert.deepEqual(s.frames(), [[0, 0]]);
    s.send([1, 1, 0, ['c', 1, 1, 'record', [21]]]);
    assert.deepEqual(s.frames(), [[1, 1, 1, ['r', 1, 42]]]);
    s.send([1, 2, 1, ['c', 2, 1, 'secret', []]]);
    const [err] = s.frames();
    assert.equal(((err as [1, number, number, unknown[]])[3] as unknown[])[2], 'NoSuchMethod');
    const d = root.callRemote('record', 'x');
    assert.deepEqual(s.frames(), [[1, 3, 2, ['c', 1, 1, 'record', ['x']]]]);
    s.send([1, 3, 3, ['r', 1, 'done']]);
    assert.equal(successResultOf(d), 'done');
    const e = root.callRemote('fails');
    s.frames();
    s.send([1, 4, 4, ['e', 2, 'RangeError', 'no']]);
    const f = failureResultOf(e, RemoteError);
    assert.equal((f.value as RemoteError).type, 'RangeError');
  });

  test('a reconnection resends what the page has not acknowledged, and WELCOME says what we have', async () => {
    const { page, connection, root } = await loaded();
    const a = socket(page);
    a.send(encodeHello(connection.id, 0));
    a.send([1, 1, 0, ['c', 1, 1, 'record', [1]]]);
    root.callRemote('record', 'one');
    root.callRemote('record', 'two');
    a.frames();
    a.endpoint.connectionLost();
    const b = socket(page);
    b.send(encodeHello(connection.id, 1)); // the page got the reply (seq 1) only
    assert.deepEqual(b.frames(), [
      [0, 1],
      [1, 2, 1, ['c', 1, 1, 'record', ['one']]],
      [1, 3, 1, ['c', 2, 1, 'record', ['two']]],
    ]);
    b.send([1, 1, 0, ['c', 1, 1, 'record', [1]]]); // a duplicate of the first call is ignored
    assert.deepEqual(root.received, [1]);
  });

  test('a newer connection replaces the old one', async () => {
    const { page, connection } = await loaded();
    const a = socket(page);
    a.send(encodeHello(connection.id, 0));
    const b = socket(page);
    b.send(encodeHello(connection.id, 0));
    assert.deepEqual(a.closed, ['replaced by a newer connection']);
    assert.equal(connection.socket, b.endpoint);
  });

  test('heartbeats: PING when quiet, close when the page is silent too long', async () => {
    const { page, connection, clock } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    s.frames();
    clock.advance(1);
    clock.advance(1);
    assert.deepEqual(s.frames(), [[3, 0]]);
    for (let i = 0; i < 5; i++) clock.advance(1);
    assert.deepEqual(s.closed, ['heartbeat timeout']);
    assert.equal(connection.isConnected, false);
    assert.equal(connection.isGone, false, 'the page waits for its grace period');
  });

  test('the heartbeats of many connected pages run on one timer, and a silent page is still dropped', async () => {
    const { page, clock } = setup();
    const sockets = [];
    for (let i = 0; i < 5; i++) {
      const { connection } = successResultOf(page.load(null, '/_live/'));
      const s = socket(page);
      s.send(encodeHello(connection.id, 0));
      s.frames();
      sockets.push(s);
      clock.advance(0.3);
    }
    // The page pings the first four pages but hears from them; the last one stays silent.
    assert.equal(clock.getDelayedCalls().length, 1, 'one timer, not one per page');
    for (let t = 0; t < 8; t++) {
      clock.advance(1);
      for (const s of sockets.slice(0, 4)) s.send([2, 0]);
    }
    assert.deepEqual(sockets.map((s) => s.closed), [[], [], [], [], ['heartbeat timeout']]);
    assert.ok(sockets[0]!.frames().some((f) => f[0] === 3), 'quiet pages are pinged');
  });

  test("the server acknowledges a page's message after 1 s when no message of its own carries it", async () => {
    const { page, connection, clock } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    s.frames();
    s.send([1, 1, 0, ['r', 99, null]]);
    clock.advance(0.9);
    assert.deepEqual(s.frames(), []);
    clock.advance(0.1);
    assert.deepEqual(s.frames(), [[2, 1]]);
  });

  test('the grace period: a page that does not come back is gone, and everyone is told', async () => {
    const { page, connection, clock, root } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    const gone = root.notifyOnDisconnect();
    const pending = root.callRemote('record', 1);
    s.endpoint.connectionLost();
    clock.advance(9);
    assertNoResult(gone);
    const back = socket(page);
    back.send(encodeHello(connection.id, 0));
    back.endpoint.connectionLost();
    clock.advance(9);
    assertNoResult(gone);
    clock.advance(1);
    successResultOf(gone);
    failureResultOf(pending, PageGone);
    failureResultOf(root.callRemote('record', 2), PageGone);
    assert.equal(page.connection(connection.id), undefined);
    const late = socket(page);
    late.send(encodeHello(connection.id, 0));
    assert.deepEqual(late.frames(), [[9, 'no such page']]);
  });

  test('a page that never connects is gone after connectTimeout, long before its grace period', async () => {
    const { page, connection, clock, root } = await loaded({ gracePeriod: 60, limits: { connectTimeout: 3 } });
    const call = root.callRemote('x');
    clock.advance(2.9);
    assert.equal(connection.isGone, false);
    clock.advance(0.1);
    assert.equal(connection.isGone, true);
    assert.equal(page.connections.size, 0);
    assert.match(failureResultOf(call, PageGone).getErrorMessage(), /never connected/);
  });

  test('a GONE from the page ends it at once', async () => {
    const { page, connection, root } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    const gone = root.notifyOnDisconnect();
    s.send([9, 'page closed']);
    successResultOf(gone);
  });

  test('blocked pages refuse connections until unblocked', async () => {
    const { page, connection } = await loaded();
    connection.blocked = true;
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    assert.deepEqual(s.closed, ['blocked']);
    connection.blocked = false;
    const t = socket(page);
    t.send(encodeHello(connection.id, 0));
    assert.deepEqual(t.frames(), [[0, 0]]);
  });

  test('addChildWidget on a live page sends the rendered child; detach tells the page', async () => {
    const { page, connection, root } = await loaded();
    const s = socket(page);
    s.send(encodeHello(connection.id, 0));
    s.frames();
    const badge = new Badge('late');
    const added = root.addChildWidget(badge);
    const [frame] = s.frames() as [[1, number, number, [string, number, number, string, [{ html: string; widgets: { id: number }[] }]]]];
    const [, , widgetId, method, [info]] = frame[3];
    assert.equal(widgetId, 1);
    assert.equal(method, '__add__');
    assert.match(info.html, /data-live-widget="3"/);
    assert.deepEqual(info.widgets.map((w) => w.id), [3]);
    assertNoResult(added);
    s.send([1, 1, 1, ['r', 1, null]]);
    assert.equal(successResultOf(added), badge);
    const detached = badge.detach();
    assert.deepEqual((s.frames()[0] as unknown[])[3], ['c', 2, 3, '__detach__', []]);
    assert.equal(badge.detachedCount, 1);
    assert.equal(connection.widget(3), undefined);
    s.send([1, 2, 2, ['r', 2, null]]);
    successResultOf(detached);
    // The page detaching a widget: the server forgets it and runs the hook.
    const first = root.childWidgets[0] as Badge;
    s.send([1, 3, 2, ['c', 1, first.widgetId, '__detach__', []]]);
    assert.equal(first.detachedCount, 1);
    assert.deepEqual(root.childWidgets, []);
  });

  test('initial arguments over the size limit fail the render', () => {
    const clock = new Clock();
    const page = new LivePage({ clock, limits: { maxMessageSize: 10 }, element: () => new Recorder('x'.repeat(20)) });
    failureResultOf(page.load(null, '/_live/'));
    assert.equal(page.connections.size, 0);
  });
});
