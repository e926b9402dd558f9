import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from './clock.js';
import { AlreadyCalled, AlreadyCancelled } from '../internet/error.js';
import { Deferred, TimeoutError } from '../defer/index.js';

describe('Clock', () => {
  test('starts at 0 and advances', () => {
    const clock = new Clock();
    assert.equal(clock.seconds(), 0);
    clock.advance(1.5);
    clock.advance(2);
    assert.equal(clock.seconds(), 3.5);
  });

  test('runs a call only once its time is reached, with its arguments', () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    const call = clock.callLater(10, (a: number, b: string) => seen.push([a, b]), 1, 'x');
    assert.equal(call.getTime(), 10);
    clock.advance(9.999);
    assert.deepEqual(seen, []);
    assert.equal(call.active(), true);
    clock.advance(0.001);
    assert.deepEqual(seen, [[1, 'x']]);
    assert.equal(call.active(), false);
    assert.equal(call.called, true);
    assert.deepEqual(clock.getDelayedCalls(), []);
  });

  test('calls due at the same time run in the order scheduled', () => {
    const clock = new Clock();
    const order: number[] = [];
    for (let i = 0; i < 20; i++) clock.callLater(i % 2 === 0 ? 5 : 3, () => order.push(i));
    clock.advance(10);
    assert.deepEqual(order, [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  test('a call scheduled for "now" during advance runs in the same advance', () => {
    const clock = new Clock();
    const order: string[] = [];
    clock.callLater(1, () => {
      order.push('first');
      clock.callLater(0, () => order.push('now'));
      clock.callLater(0.5, () => order.push('later'));
    });
    clock.advance(1);
    assert.deepEqual(order, ['first', 'now']);
    clock.advance(0.5);
    assert.deepEqual(order, ['first', 'now', 'later']);
  });

  test('one big advance runs every call due, in time order, and a call sees its own due time passed', () => {
    const clock = new Clock();
    const seen: number[] = [];
    clock.callLater(3, () => seen.push(3));
    clock.callLater(1, () => seen.push(1));
    clock.callLater(2, () => seen.push(2));
    clock.advance(100);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('time jumps first, as Twisted: a self-rescheduling timer runs once per advance, seeing the new time', () => {
    const clock = new Clock();
    const runs: number[] = [];
    const tick = (): void => {
      runs.push(clock.seconds());
      clock.callLater(10, tick);
    };
    clock.callLater(10, tick);
    clock.advance(60);
    assert.deepEqual(runs, [60]);
    clock.pump([10, 10]);
    assert.deepEqual(runs, [60, 70, 80]);
  });

  test('pump advances by each amount in turn', () => {
    const clock = new Clock();
    const times: number[] = [];
    clock.callLater(1, () => times.push(clock.seconds()));
    clock.callLater(2.5, () => times.push(clock.seconds()));
    clock.pump([0, 1, 1, 1]);
    assert.deepEqual(times, [1, 3]);
    assert.equal(clock.seconds(), 3);
  });

  test('getDelayedCalls lists pending calls soonest first', () => {
    const clock = new Clock();
    const a = clock.callLater(5, () => {});
    const b = clock.callLater(1, () => {});
    assert.deepEqual(clock.getDelayedCalls(), [b, a]);
    b.cancel();
    assert.deepEqual(clock.getDelayedCalls(), [a]);
  });

  test('cancel stops the call; cancelling twice raises AlreadyCancelled', () => {
    const clock = new Clock();
    let ran = false;
    const call = clock.callLater(1, () => { ran = true; });
    call.cancel();
    assert.equal(call.active(), false);
    assert.throws(() => call.cancel(), AlreadyCancelled);
    assert.throws(() => call.reset(1), AlreadyCancelled);
    assert.throws(() => call.delay(1), AlreadyCancelled);
    clock.advance(5);
    assert.equal(ran, false);
  });

  test('cancel, reset or delay of a call that has run raises AlreadyCalled', () => {
    const clock = new Clock();
    const call = clock.callLater(1, () => {});
    clock.advance(1);
    assert.throws(() => call.cancel(), AlreadyCalled);
    assert.throws(() => call.reset(1), AlreadyCalled);
    assert.throws(() => call.delay(1), AlreadyCalled);
  });

  test('a call cancelling itself while running raises AlreadyCalled', () => {
    const clock = new Clock();
    let error: unknown;
    const call = clock.callLater(1, () => {
      try { call.cancel(); } catch (e) { error = e; }
    });
    clock.advance(1);
    assert.ok(error instanceof AlreadyCalled);
  });

  test('reset counts from now, delay from the current due time', () => {
    const clock = new Clock();
    let ranAt = -1;
    const call = clock.callLater(5, () => { ranAt = clock.seconds(); });
    clock.advance(3);
    call.reset(5); // due at 8
    assert.equal(call.getTime(), 8);
    call.delay(2); // due at 10
    assert.equal(call.getTime(), 10);
    clock.advance(6);
    assert.equal(ranAt, -1);
    clock.advance(1);
    assert.equal(ranAt, 10);
  });

  test('reset moves a call behind others due at the same new time', () => {
    const clock = new Clock();
    const order: string[] = [];
    const a = clock.callLater(1, () => order.push('a'));
    clock.callLater(2, () => order.push('b'));
    a.reset(2);
    clock.advance(2);
    assert.deepEqual(order, ['b', 'a']);
  });

  test('an error in a call reaches the test and leaves later calls pending', () => {
    const clock = new Clock();
    let later = false;
    clock.callLater(1, () => { throw new Error('boom'); });
    clock.callLater(2, () => { later = true; });
    assert.throws(() => clock.advance(5), /boom/);
    assert.equal(later, false);
    clock.advance(0);
    assert.equal(later, true);
  });

  test('rejects negative and NaN delays', () => {
    const clock = new Clock();
    assert.throws(() => clock.callLater(-1, () => {}), RangeError);
    assert.throws(() => clock.callLater(NaN, () => {}), RangeError);
    assert.throws(() => clock.advance(-1), RangeError);
  });

  test('drives Deferred.addTimeout', () => {
    const clock = new Clock();
    const d = new Deferred<string>().addTimeout(30, clock);
    const failures: Error[] = [];
    d.addErrback((f) => { failures.push(f.value); });
    clock.advance(29);
    assert.equal(failures.length, 0);
    clock.advance(1);
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof TimeoutError);
    assert.deepEqual(clock.getDelayedCalls(), []);
  });

  test('a timeout whose Deferred fired in time is cancelled', () => {
    const clock = new Clock();
    const d = new Deferred<string>().addTimeout(30, clock);
    assert.equal(clock.getDelayedCalls().length, 1);
    d.callback('ok');
    assert.equal(clock.getDelayedCalls().length, 0);
  });
});
