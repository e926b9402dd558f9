import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from './timer-queue.js';
import { AlreadyCalled, AlreadyCancelled } from './error.js';
import { eventually } from '../testing/index.js';

function queue(errors: unknown[] = []): TimerQueue {
  return new TimerQueue(() => performance.now() / 1000, (e) => errors.push(e));
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('calls run in time order, equal times in scheduling order', async () => {
  // A clock held still while scheduling: on a loaded machine real time could pass 'c' before 'a1' is filed.
  let now = 0;
  const q = new TimerQueue(() => now, (e) => assert.fail(String(e)));
  const order: string[] = [];
  q.callLater(0.03, () => order.push('c'));
  q.callLater(0.01, () => order.push('a1'));
  q.callLater(0.01, () => order.push('a2'));
  q.callLater(0.02, () => order.push('b'));
  now = 1;
  await eventually(() => order.length === 4, { message: 'the calls to run' });
  assert.deepEqual(order, ['a1', 'a2', 'b', 'c']);
  assert.equal(q.size, 0);
});

test('cancel removes a call; cancelling twice or after it ran throws', async () => {
  const q = queue();
  let ran = 0;
  const c = q.callLater(0.01, () => ran++);
  const d = q.callLater(0.01, () => ran++);
  c.cancel();
  assert.throws(() => c.cancel(), AlreadyCancelled);
  await eventually(() => !d.active(), { message: 'the calls to run' });
  assert.equal(ran, 1);
  assert.throws(() => d.cancel(), AlreadyCalled);
  assert.equal(d.active(), false);
});

test('reset to later is honoured (lazy re-filing) and reset to earlier moves the call up', async () => {
  const q = queue();
  const order: string[] = [];
  const late = q.callLater(0.01, () => order.push('late'));
  q.callLater(0.03, () => order.push('mid'));
  const early = q.callLater(1, () => order.push('early'));
  late.reset(0.06);
  early.reset(0.005);
  await eventually(() => order.length === 3, { message: 'the calls to run' });
  assert.deepEqual(order, ['early', 'mid', 'late']);
});

test('100,000 resets of idle timeouts leave one pending call each and never fire early', async () => {
  const q = queue();
  let fired = 0;
  const calls = Array.from({ length: 100 }, () => q.callLater(10, () => fired++));
  for (let i = 0; i < 1000; i++) for (const c of calls) c.reset(10);
  assert.equal(q.size, 100);
  for (const c of calls) c.cancel();
  assert.equal(q.size, 0);
  await tick(5);
  assert.equal(fired, 0);
});

test('an error in one call is reported and the others still run', async () => {
  const errors: unknown[] = [];
  const q = queue(errors);
  let ran = false;
  q.callLater(0, () => {
    throw new Error('boom');
  });
  q.callLater(0, () => (ran = true));
  await eventually(() => ran, { message: 'the calls to run' });
  assert.equal(ran, true);
  assert.equal((errors[0] as Error).message, 'boom');
});

test('callLater(0) scheduled by a running call waits for the next turn', async () => {
  const q = queue();
  const order: string[] = [];
  let afterTurn: string[] | undefined;
  q.callLater(0, () => {
    order.push('first');
    q.callLater(0, () => order.push('second'));
    // Microtasks run once the timer's turn is over: 'second' must not have run in that same turn.
    queueMicrotask(() => (afterTurn = [...order]));
  });
  await eventually(() => order.length === 2, { message: 'the calls to run' });
  assert.deepEqual(afterTurn, ['first']);
  assert.deepEqual(order, ['first', 'second']);
});

test('delay() postpones and arguments are passed', async () => {
  const q = queue();
  const got: number[] = [];
  const c = q.callLater(0.01, (a: number, b: number) => got.push(a + b), 2, 3);
  const t = c.getTime();
  c.delay(0.02);
  assert.ok(Math.abs(c.getTime() - (t + 0.02)) < 1e-9);
  await eventually(() => !c.active(), { message: 'the calls to run' });
  assert.deepEqual(got, [5]);
});
