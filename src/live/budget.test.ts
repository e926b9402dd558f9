/**
 * What a page can make the server hold, on a fake clock with the page's side played by the test: frames out
 * of order, messages it never acknowledges, calls it never answers, and pages of one address that hog
 * memory. Each is bounded by a limit, and the page over it is dropped, not the server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, assertNoResult, failureResultOf, successResultOf } from '../testing/index.js';
import { Site } from '../web/index.js';
import { LiveEndpoint } from './endpoint.js';
import { LivePage, type LivePageOptions } from './page.js';
import { CallTimeout, PageGone, TooManyCalls } from './shared/errors.js';
import { encodeHello } from './shared/frames.js';
import { readFrame } from './test-support/frames.js';
import type { LiveLimits } from './shared/limits.js';
import { PENDING_CALL_COST } from './shared/rpc.js';
import { Recorder } from './test-support/recorder.js';
import { bootOf, requestFrom } from './test-support/requests.js';

function setup(limits: Partial<LiveLimits>, options: Partial<LivePageOptions> = {}) {
  const clock = new Clock();
  const page = new LivePage({ clock, gracePeriod: 120, heartbeatInterval: 0, limits, ...options, element: () => new Recorder() });
  const load = () => {
    const { connection } = successResultOf(page.load(null, '/_live/'));
    return { connection, root: connection.widget(1)! };
  };
  return { clock, page, load };
}

/** The page's end of one transport connection, after HELLO. */
function connect(page: LivePage, pageId: string) {
  const out: string[] = [];
  const closed: string[] = [];
  const endpoint = new LiveEndpoint(page, { sendLiveFrame: (f) => out.push(f), closeLiveTransport: (reason) => closed.push(reason) });
  endpoint.frameReceived(encodeHello(pageId, 0));
  return {
    endpoint,
    closed,
    frames: () => out.splice(0).map(readFrame),
    send: (frame: string | unknown[]) => endpoint.frameReceived(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  };
}

describe('a page over its budget is dropped', () => {
  test('frames sent out of order, never the first: dropped at maxPageBytes instead of holding 1,000 frames', () => {
    const { page, load } = setup({ maxPageBytes: 64 * 1024 });
    const { connection, root } = load();
    const s = connect(page, connection.id);
    s.frames();
    const pending = root.callRemote('record', 1);
    const payload = JSON.stringify(['c', 1, 1, 'record', ['x'.repeat(4000)]]);
    let sent = 0;
    let peak = 0;
    for (let seq = 2; seq <= 1001 && s.closed.length === 0; seq++, sent++) {
      s.send(`[1,${seq},0,${payload}]`);
      peak = Math.max(peak, connection.budget.used);
    }
    assert.ok(sent < 20, `dropped after ${sent} frames`);
    assert.ok(peak <= 64 * 1024, `held at most ${peak} bytes`);
    assert.equal(connection.isGone, true);
    assert.equal(connection.budget.used, 0);
    const gone = s.frames().at(-1)!;
    assert.equal(gone[0], 9);
    assert.match(String(gone[1]), /the page's memory budget of 65536 bytes is used up/);
    assert.match(failureResultOf(pending, PageGone).getErrorMessage(), /memory budget/);
    assert.equal(page.connections.size, 0);
  });

  test('a page that never acknowledges: dropped once what waits for it passes maxPageBytes, long before maxUnacked', () => {
    const { load } = setup({ maxPageBytes: 64 * 1024 });
    const { connection, root } = load(); // no connection at all: everything waits for one
    const calls = [];
    for (let i = 0; i < 100 && !connection.isGone; i++) calls.push(root.callRemote('record', 'y'.repeat(2000)));
    assert.equal(connection.isGone, true);
    assert.ok(calls.length < 40, `dropped after ${calls.length} calls`);
    for (const d of calls) failureResultOf(d, PageGone);
  });

  test('a page that acknowledges but never answers: calls past maxPendingCalls fail at once, the rest time out', () => {
    const { clock, page, load } = setup({ maxPendingCalls: 50, callTimeout: 30 });
    const { connection, root } = load();
    const s = connect(page, connection.id);
    const calls = [];
    for (let i = 0; i < 60; i++) calls.push(root.callRemote('record', i));
    for (const d of calls.slice(50)) failureResultOf(d, TooManyCalls);
    const seqs = s.frames().filter((f) => f[0] === 1).map((f) => f[1] as number);
    assert.equal(seqs.length, 50, 'refused calls are not sent');
    s.send([2, Math.max(...seqs)]); // everything acknowledged, nothing answered
    assert.equal(connection.budget.used, 50 * PENDING_CALL_COST);
    clock.advance(29);
    for (const d of calls.slice(0, 50)) assertNoResult(d);
    clock.advance(1);
    for (const d of calls.slice(0, 50)) assert.match(failureResultOf(d, CallTimeout).getErrorMessage(), /no answer to record on widget 1 within 30 seconds/);
    assert.equal(connection.budget.used, 0);
    assert.equal(connection.isGone, false, 'the page itself stays');
    assertNoResult(root.callRemote('record', 'again'));
  });
});

describe('a page that talks but does not read', () => {
  test('loses its connection after stallTimeout without acknowledging anything, even while it pings', () => {
    const { page, load, clock } = setup({ stallTimeout: 20 }, { heartbeatInterval: 2, heartbeatTimeout: 30 });
    const { connection, root } = load();
    const s = connect(page, connection.id);
    void root.callRemote('record', 1);
    for (let t = 0; t < 19; t++) {
      clock.advance(1);
      s.send([3, 0]);
    }
    assert.deepEqual(s.closed, []);
    clock.advance(2);
    assert.deepEqual(s.closed, ['stalled']);
    assert.equal(connection.isGone, false, 'the page waits for its grace period');
  });
});

describe('pages of one address share its budget', () => {
  test('when the address budget is full, the page holding the most goes, and a quiet page of the same address stays', async () => {
    const { page, clock } = setup({ maxPageBytes: 100 * 1024, maxAddressBytes: 128 * 1024 });
    const site = new Site(page, { accessLog: false, clock });
    const hogBoot = bootOf((await requestFrom(site, '192.0.2.40', 'GET', '/')).text);
    const quietBoot = bootOf((await requestFrom(site, '192.0.2.40', 'GET', '/')).text);
    const hog = connect(page, hogBoot.page);
    const quiet = connect(page, quietBoot.page);
    const payload = JSON.stringify(['c', 1, 1, 'record', ['x'.repeat(4000)]]);
    for (let seq = 2; seq < 24; seq++) hog.send(`[1,${seq},0,${payload}]`);
    assert.ok(page.connection(hogBoot.page)!.budget.used > 80 * 1024);
    quiet.frames();
    const big = page.connection(quietBoot.page)!.widget(1)!.callRemote('record', 'z'.repeat(40 * 1024));
    assertNoResult(big);
    assert.equal(quiet.frames().length, 1, 'the quiet page got its message');
    assert.equal(page.connection(hogBoot.page), undefined);
    assert.match(hog.closed[0]!, /its address's memory budget of 131072 bytes is used up, and this holds the most of it/);
    assert.equal(page.connection(quietBoot.page)!.isGone, false);
  });
});
