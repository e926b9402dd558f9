/**
 * A broadcast to many pages on one `LivePage`, on a fake clock: what it leaves scheduled per page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/index.js';
import { LivePage } from './page.js';
import { LiveEndpoint } from './endpoint.js';
import { callRemoteAll } from './broadcast.js';
import { encodeHello } from './shared/frames.js';
import { readFrame } from './test-support/frames.js';
import { Recorder } from './test-support/recorder.js';
import { ACK_DELAY } from './connection.js';

const PAGES = 1000;

test(`${PAGES} pages answering a broadcast: the page's reactor holds one delayed call for their ACKs, and each goes out within the ACK delay`, () => {
  const clock = new Clock();
  // No call timeout: what is left scheduled is then the ACKs' and the heartbeat's.
  const page = new LivePage({ clock, heartbeatInterval: 10, heartbeatTimeout: 30, limits: { callTimeout: 0, maxPages: PAGES }, element: () => new Recorder() });
  const tabs = Array.from({ length: PAGES }, () => {
    const { connection } = page.load(null, '/_live/').result as { connection: { id: string } };
    const out: string[] = [];
    const endpoint = new LiveEndpoint(page, { sendLiveFrame: (f) => out.push(f), closeLiveTransport: () => undefined });
    endpoint.frameReceived(encodeHello(connection.id, 0));
    return { endpoint, out, received: 0, sent: 0, answeredAt: -1, ackedAt: -1 };
  });
  const read = () => {
    for (const t of tabs) {
      for (const f of t.out.splice(0).map(readFrame)) {
        if (f[0] === 1 || f[0] === 4) t.received++;
        if (f[0] === 2 && f[1] === t.sent && t.ackedAt < 0) t.ackedAt = clock.seconds();
      }
    }
  };
  read();
  const scheduledBefore = clock.getDelayedCalls().length;
  void callRemoteAll([...page.connections.values()].map((c) => c.widget(1)!), 'tick');
  const calls = tabs.map((t) => {
    const frames = t.out.splice(0).map(readFrame);
    assert.equal(frames.length, 1);
    t.received++;
    const f = frames[0]!;
    return ((f[0] === 4 ? f[1] : f[3]) as unknown[])[1] as number; // the call's id
  });
  // The pages answer over 0.3 s.
  tabs.forEach((t, i) => {
    if (i % 100 === 0) clock.advance(0.03);
    t.endpoint.frameReceived(JSON.stringify([1, ++t.sent, t.received, ['r', calls[i], true]]));
    t.answeredAt = clock.seconds();
  });
  assert.ok(clock.getDelayedCalls().length <= scheduledBefore + 1, `${clock.getDelayedCalls().length} delayed calls, ${scheduledBefore} before the broadcast`);
  for (let step = 0; step < 30; step++) {
    clock.advance(0.05);
    read();
  }
  for (const [i, t] of tabs.entries()) assert.ok(t.ackedAt >= 0 && t.ackedAt - t.answeredAt <= ACK_DELAY + 0.05 + 1e-9, `page ${i}: answered at ${t.answeredAt}, acknowledged at ${t.ackedAt}`);
});
