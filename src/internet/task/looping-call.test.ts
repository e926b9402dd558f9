import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, type Failure } from '../../defer/index.js';
import { Clock } from '../../testing/clock.js';
import { LoopingCall } from './looping-call.js';

function looping<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): { lc: LoopingCall<A>; clock: Clock } {
  const clock = new Clock();
  const lc = new LoopingCall(fn, ...args);
  lc.clock = clock;
  return { lc, clock };
}

describe('LoopingCall', () => {
  test('calls at once, then every interval, with its arguments; stop fires the Deferred with the LoopingCall', () => {
    const calls: [number, string][] = [];
    const { lc, clock } = looping((tag: string) => { calls.push([clock.seconds(), tag]); }, 'x');
    let stoppedWith: unknown;
    lc.start(2).addCallback((r) => { stoppedWith = r; });
    assert.deepEqual(calls, [[0, 'x']]);
    clock.advance(1);
    assert.equal(calls.length, 1);
    clock.advance(1);
    clock.advance(2);
    assert.deepEqual(calls.map((c) => c[0]), [0, 2, 4]);
    assert.equal(lc.running, true);
    lc.stop();
    assert.equal(stoppedWith, lc);
    assert.equal(lc.running, false);
    clock.advance(10);
    assert.equal(calls.length, 3);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('start(interval, false) waits one interval before the first call', () => {
    let n = 0;
    const { lc, clock } = looping(() => { n++; });
    lc.start(5, false);
    assert.equal(n, 0);
    clock.advance(5);
    assert.equal(n, 1);
    lc.stop();
  });

  test('a slow clock skips missed intervals, staying aligned to the start time', () => {
    const times: number[] = [];
    const { lc, clock } = looping(() => { times.push(clock.seconds()); });
    lc.start(1);
    clock.advance(3.5);
    clock.advance(0.5);
    assert.deepEqual(times, [0, 3.5, 4]);
    lc.stop();
  });

  test('withCount reports how many intervals passed, including skipped ones', () => {
    const counts: number[] = [];
    const clock = new Clock();
    const lc = LoopingCall.withCount((n) => { counts.push(n); });
    lc.clock = clock;
    lc.start(1);
    clock.advance(1);
    clock.advance(3);
    clock.advance(1.5);
    assert.deepEqual(counts, [1, 1, 3, 1]);
    lc.stop();
  });

  test('withCount with now=false counts from the start', () => {
    const counts: number[] = [];
    const clock = new Clock();
    const lc = LoopingCall.withCount((n) => { counts.push(n); });
    lc.clock = clock;
    lc.start(2, false);
    clock.advance(7);
    assert.deepEqual(counts, [3]);
    lc.stop();
  });

  test('a function returning a Deferred delays the next call until it fires', () => {
    const pending: Deferred<void>[] = [];
    const { lc, clock } = looping(() => {
      const d = new Deferred<void>();
      pending.push(d);
      return d;
    });
    let stopped = false;
    lc.start(1).addCallback(() => { stopped = true; });
    clock.advance(5);
    assert.equal(pending.length, 1, 'no second call while the first is pending');
    pending[0].callback(undefined);
    clock.advance(1);
    assert.equal(pending.length, 2);
    pending[1].callback(undefined);
    lc.stop();
    assert.equal(stopped, true, 'stop between calls fires at once');
  });

  test('stop while a returned Deferred is pending fires once it settles', () => {
    const d = new Deferred<void>();
    const { lc } = looping(() => d);
    let stopped = false;
    lc.start(1).addCallback(() => { stopped = true; });
    lc.stop();
    assert.equal(stopped, false);
    d.callback(undefined);
    assert.equal(stopped, true);
  });

  test('a returned Promise is awaited too', async () => {
    let calls = 0;
    const { lc, clock } = looping(async () => { calls++; });
    lc.start(1);
    await new Promise((r) => setImmediate(r));
    clock.advance(1);
    assert.equal(calls, 2);
    lc.stop();
  });

  test('a throw stops the loop and errbacks the Deferred', () => {
    let n = 0;
    const { lc, clock } = looping(() => {
      if (++n === 2) throw new Error('boom');
    });
    let failure: Failure | undefined;
    lc.start(1).addErrback((f) => { failure = f; });
    clock.advance(1);
    assert.equal(failure?.value.message, 'boom');
    assert.equal(lc.running, false);
    clock.advance(5);
    assert.equal(n, 2);
  });

  test('a failed Deferred stops the loop and errbacks', () => {
    const { lc } = looping(() => Deferred.fail(new Error('nope')));
    let failure: Failure | undefined;
    lc.start(1).addErrback((f) => { failure = f; });
    assert.equal(failure?.value.message, 'nope');
    assert.equal(lc.running, false);
  });

  test('reset restarts the interval; misuse throws', () => {
    const { lc } = looping(() => {});
    assert.throws(() => lc.stop(), /not running/);
    assert.throws(() => lc.start(-1), RangeError);

    const times: number[] = [];
    const b = looping(() => { times.push(b.clock.seconds()); });
    b.lc.start(10);
    b.clock.advance(4);
    b.lc.reset();
    b.clock.advance(9);
    assert.deepEqual(times, [0]);
    b.clock.advance(1);
    assert.deepEqual(times, [0, 14]);
    assert.throws(() => b.lc.start(1), /already running/);
    b.lc.stop();
  });
});
