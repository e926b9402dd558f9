import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, assertNoResult, failureResultOf, successResultOf } from '../../testing/index.js';
import { Deferred } from '../../defer/index.js';
import { MemoryBudget } from './budget.js';
import { CallTimeout, InvalidArguments, PageGone, RemoteError, TooManyCalls } from './errors.js';
import { expose } from './expose.js';
import { PENDING_CALL_COST, RemoteCalls, type RemoteCallsOptions } from './rpc.js';

class Target {
  static exposed = ['plain'];
  @expose
  add(a: number, b: number): number {
    return a + b;
  }
  @expose
  later(): Deferred<string> {
    return Deferred.succeed('later');
  }
  @expose
  boom(): never {
    throw new TypeError('bad input');
  }
  plain(): string {
    return 'listed in static exposed';
  }
  hidden(): string {
    return 'secret';
  }
  get page(): string {
    throw new Error('a getter must never run for a call');
  }
  @expose
  never(): Deferred<never> {
    return new Deferred<never>();
  }
  @expose
  huge(): string {
    return 'x'.repeat(100);
  }
}

/** Two RemoteCalls wired back to back; side B holds widget 7 (and has builtins, as a page has). */
function pair(maxMessageSize = 50, options: Partial<RemoteCallsOptions> = {}) {
  const target = new Target();
  const errors: string[] = [];
  const b: RemoteCalls = new RemoteCalls({
    sendJSON: (j) => a.handle(JSON.parse(j)),
    lookup: (id) => (id === 7 ? target : undefined),
    maxMessageSize,
    onLocalError: (f) => errors.push(f.value.name),
    builtins: { __add__: () => 'added' },
    ...options,
  });
  const a = new RemoteCalls({ sendJSON: (j) => b.handle(JSON.parse(j)), lookup: () => undefined, maxMessageSize });
  return { a, b, errors };
}

describe('RemoteCalls', () => {
  test('calls an exposed method and gets its result', () => {
    const { a } = pair();
    assert.equal(successResultOf(a.call(7, 'add', [2, 3])), 5);
    assert.equal(successResultOf(a.call(7, 'later', [])), 'later');
    assert.equal(successResultOf(a.call(7, 'plain', [])), 'listed in static exposed');
  });

  test('errors cross with their type and message', () => {
    const { a, errors } = pair();
    const f = failureResultOf(a.call(7, 'boom', []), RemoteError);
    assert.equal((f.value as RemoteError).type, 'TypeError');
    assert.equal(f.value.message, 'bad input');
    assert.deepEqual(errors, ['TypeError']);
  });

  test('unexposed, unknown and reserved names are NoSuchMethod; unknown widgets NoSuchWidget', () => {
    const { a } = pair();
    for (const name of ['hidden', 'nope', 'constructor', '__proto__', 'toString']) {
      const f = failureResultOf(a.call(7, name, []), RemoteError);
      assert.equal((f.value as RemoteError).type, 'NoSuchMethod', name);
    }
    assert.equal((failureResultOf(a.call(8, 'add', []), RemoteError).value as RemoteError).type, 'NoSuchWidget');
  });

  test('arguments over the limit or not JSON fail locally; results over it fail remotely', () => {
    const { a } = pair();
    failureResultOf(a.call(7, 'add', ['y'.repeat(60)]), InvalidArguments);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    failureResultOf(a.call(7, 'add', [cyclic]), InvalidArguments);
    assert.equal((failureResultOf(a.call(7, 'huge', []), RemoteError).value as RemoteError).type, 'InvalidArguments');
  });

  test('failAll fails pending and later calls', () => {
    const sent: string[] = [];
    const calls = new RemoteCalls({ sendJSON: (j) => sent.push(j), lookup: () => undefined, maxMessageSize: 100 });
    const d = calls.call(1, 'x', []);
    calls.failAll(new PageGone('gone'));
    failureResultOf(d, PageGone);
    failureResultOf(calls.call(1, 'y', []), PageGone);
    assert.equal(sent.length, 1);
  });

  test('malformed payloads are protocol errors', () => {
    const { a } = pair();
    assert.throws(() => a.handle({}), /malformed/);
    assert.throws(() => a.handle(['c', 1, 'x', 'm', []]), /malformed/);
  });

  test('names from Object.prototype and getters are NoSuchMethod, never a TypeError, on a side with builtins', () => {
    const { a, errors } = pair();
    const names = ['__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'constructor', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'page'];
    for (const name of names) {
      const f = failureResultOf(a.call(7, name, [() => 0, 'x']), RemoteError);
      assert.equal((f.value as RemoteError).type, 'NoSuchMethod', name);
    }
    assert.deepEqual(errors, names.map(() => 'NoSuchMethod'));
    assert.equal(successResultOf(a.call(7, '__add__', [])), 'added', 'an own builtin still works');
  });

  test('calls out beyond maxPending fail at once with TooManyCalls, and are not sent', () => {
    const sent: string[] = [];
    const calls = new RemoteCalls({ sendJSON: (j) => sent.push(j), lookup: () => undefined, maxMessageSize: 100, maxPending: 3 });
    const waiting = [1, 2, 3].map((i) => calls.call(1, 'x', [i]));
    failureResultOf(calls.call(1, 'x', [4]), TooManyCalls);
    assert.equal(sent.length, 3);
    assert.equal(calls.pendingCount, 3);
    calls.handle(['r', 1, 'ok']);
    successResultOf(waiting[0]!);
    assertNoResult(calls.call(1, 'x', [5]));
  });

  test('a call with no answer within callTimeout fails with CallTimeout; a late answer is ignored', () => {
    const clock = new Clock();
    const budget = new MemoryBudget(10_000);
    const calls = new RemoteCalls({ sendJSON: () => undefined, lookup: () => undefined, maxMessageSize: 100, callTimeout: 5, clock, budget });
    const first = calls.call(1, 'slow', []);
    clock.advance(2);
    const second = calls.call(1, 'slow', []);
    assert.equal(budget.used, 2 * PENDING_CALL_COST);
    clock.advance(3);
    assert.match(failureResultOf(first, CallTimeout).getErrorMessage(), /no answer to slow on widget 1 within 5 seconds/);
    assertNoResult(second);
    clock.advance(2);
    failureResultOf(second, CallTimeout);
    calls.handle(['r', 1, 'late']);
    assert.equal(calls.pendingCount, 0);
    assert.equal(budget.used, 0);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('calls answered out of order, cancelled, and timed out in the order they were made, the oldest first', () => {
    const clock = new Clock();
    const budget = new MemoryBudget(10_000);
    const calls = new RemoteCalls({ sendJSON: () => undefined, lookup: () => undefined, maxMessageSize: 100, callTimeout: 5, clock, budget });
    const one = calls.call(1, 'one', []);
    clock.advance(1);
    const two = calls.call(1, 'two', []);
    const three = calls.call(1, 'three', []);
    calls.handle(['r', 1, 'first']); // the oldest answered first: the next call comes after two and three
    assert.equal(successResultOf(one), 'first');
    clock.advance(1);
    const four = calls.call(1, 'four', []);
    calls.handle(['r', 3, 'third']);
    assert.equal(successResultOf(three), 'third');
    assert.equal(calls.pendingCount, 2);
    clock.advance(4); // two's deadline (6)
    assert.match(failureResultOf(two, CallTimeout).getErrorMessage(), /two/);
    assertNoResult(four);
    four.cancel();
    failureResultOf(four);
    const five = calls.call(1, 'five', []);
    assert.equal(calls.pendingCount, 1);
    calls.handle(['r', 5, 'fifth']);
    assert.equal(successResultOf(five), 'fifth');
    assert.equal(calls.pendingCount, 0);
    assert.equal(budget.used, 0);
    clock.advance(10);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('calls in beyond maxPending are answered TooManyCalls without running', () => {
    const { a, b } = pair(50, { maxPending: 2 });
    const waiting = [a.call(7, 'never', []), a.call(7, 'never', [])];
    const refused = failureResultOf(a.call(7, 'add', [1, 2]), RemoteError);
    assert.equal((refused.value as RemoteError).type, 'TooManyCalls');
    assert.equal(b.runningCount, 2);
    for (const d of waiting) assertNoResult(d);
  });
});
