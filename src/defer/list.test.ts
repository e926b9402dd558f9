import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs } from '../logger/index.js';
import { CancelledError, Deferred, DeferredList, Failure, FailureGroup, FirstError, fail, gatherResults, race, succeed } from './index.js';
import { BoomError, failureOf } from './test-support/failure-of.js';


describe('DeferredList', () => {
  test('fires with [success, valueOrFailure] pairs in the order given once all fire', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const list = new DeferredList([a, b], { consumeErrors: true });
    b.errback(new BoomError('b'));
    assert.equal(list.called, false);
    a.callback(1);
    const results = list.result as [boolean, unknown][];
    assert.equal(results.length, 2);
    assert.deepEqual(results[0], [true, 1]);
    assert.equal(results[1][0], false);
    assert.ok((results[1][1] as Failure).check(BoomError));
  });

  test('an empty list fires at once with []', () => {
    assert.deepEqual(new DeferredList([]).result, []);
  });

  test('fireOnOneCallback fires with [value, index] of the first success', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const list = new DeferredList<string, [string, number]>([a, b], { fireOnOneCallback: true });
    b.callback('second');
    assert.deepEqual(list.result, ['second', 1]);
    a.callback('first');
    assert.deepEqual(list.result, ['second', 1]);
    assert.equal(list.finishedCount, 2);
  });

  test('fireOnOneCallback on an empty list never fires', () => {
    assert.equal(new DeferredList([], { fireOnOneCallback: true }).called, false);
  });

  test('fireOnOneErrback fails with FirstError carrying the failure and index', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const list = new DeferredList([a, b], { fireOnOneErrback: true, consumeErrors: true });
    b.errback(new BoomError('second failed'));
    const f = failureOf(list);
    assert.ok(f.check(FirstError));
    const first = f.value as FirstError;
    assert.equal(first.index, 1);
    assert.ok(first.subFailure.check(BoomError));
  });

  test('without consumeErrors the failures stay in the given Deferreds', () => {
    const a = fail(new BoomError('kept'));
    new DeferredList([a]);
    assert.ok(a.result instanceof Failure);
    a.addErrback(() => undefined);
  });

  test('with consumeErrors the given Deferreds go on with undefined', () => {
    const a = fail(new BoomError('consumed'));
    new DeferredList([a], { consumeErrors: true });
    assert.equal(a.result, undefined);
  });

  test('successes pass through the given Deferreds', () => {
    const a = succeed(4);
    new DeferredList([a]);
    assert.equal(a.result, 4);
  });

  test('cancel cancels every Deferred; the list fires as they fail', () => {
    const cancelled: number[] = [];
    const a = new Deferred<number>(() => cancelled.push(0));
    const b = new Deferred<number>(() => cancelled.push(1));
    const list = new DeferredList([a, b], { consumeErrors: true });
    list.cancel();
    assert.deepEqual(cancelled, [0, 1]);
    const results = list.result as [boolean, Failure][];
    assert.ok(results.every(([ok, f]) => !ok && f.check(CancelledError)));
  });

  test('a canceller that throws is logged and the others are still cancelled', () => {
    const b = new Deferred<number>();
    const a = new Deferred<number>(() => {
      throw new BoomError('bad canceller');
    });
    const list = new DeferredList([a, b], { consumeErrors: true });
    const events = captureLogs(() => list.cancel());
    assert.equal(events.length, 1);
    assert.match(String(events[0].log_format), /canceller/);
    assert.ok(events[0].log_failure?.check(BoomError));
    const entry = list.resultList[1];
    assert.ok(entry && !entry[0] && entry[1].check(CancelledError));
    a.callback(0);
  });
});

describe('gatherResults', () => {
  test('fires with the values in order', () => {
    const a = new Deferred<number>();
    const b = new Deferred<string>();
    const d = gatherResults([a, b]);
    b.callback('two');
    a.callback(1);
    let typed: [number, string] | undefined;
    d.addCallback((pair) => {
      typed = pair; // a tuple type is inferred from the array literal
    });
    assert.deepEqual(typed, [1, 'two']);
  });

  test('fails on the first failure with FirstError and its index', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const c = new Deferred<number>();
    const d = gatherResults([a, b, c], { consumeErrors: true });
    c.errback(new BoomError('third'));
    const f = failureOf(d);
    const first = f.value as FirstError;
    assert.ok(first instanceof FirstError);
    assert.equal(first.index, 2);
    assert.equal(first.subFailure.getErrorMessage(), 'third');
    b.errback(new BoomError('later failure, consumed'));
    a.callback(0);
  });

  test('consumeErrors decides whether the failed Deferred keeps its failure', () => {
    const kept = fail(new BoomError('k'));
    failureOf(gatherResults([kept]));
    assert.ok(kept.result instanceof Failure);
    kept.addErrback(() => undefined);
    const consumed = fail(new BoomError('c'));
    failureOf(gatherResults([consumed], { consumeErrors: true }));
    assert.equal(consumed.result, undefined);
  });

  test('an empty list gives []', () => {
    assert.deepEqual(gatherResults([]).result, []);
  });
});

describe('race', () => {
  test('fires with [index, value] of the first success and cancels the losers', () => {
    const cancelled: string[] = [];
    const a = new Deferred<string>(() => cancelled.push('a'));
    const b = new Deferred<string>(() => cancelled.push('b'));
    const c = new Deferred<string>(() => cancelled.push('c'));
    const d = race([a, b, c]);
    b.callback('winner');
    assert.deepEqual(d.result, [1, 'winner']);
    assert.deepEqual(cancelled, ['a', 'c']);
    assert.equal(a.result, undefined, 'the losers’ CancelledErrors are consumed');
  });

  test('failures before a success do not decide', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const d = race([a, b]);
    a.errback(new BoomError('a failed'));
    assert.equal(d.called, false);
    b.callback('b');
    assert.deepEqual(d.result, [1, 'b']);
  });

  test('fails with a FailureGroup when all fail', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const d = race([a, b]);
    b.errback(new BoomError('b'));
    a.errback(new BoomError('a'));
    const group = failureOf(d).value as FailureGroup;
    assert.ok(group instanceof FailureGroup);
    assert.deepEqual(
      group.failures.map((f) => f.getErrorMessage()),
      ['a', 'b'],
    );
  });

  test('cancelling the race cancels all', () => {
    const cancelled: number[] = [];
    const ds = [0, 1].map((i) => new Deferred<number>(() => cancelled.push(i)));
    const d = race(ds);
    d.cancel();
    assert.deepEqual(cancelled, [0, 1]);
    assert.ok(failureOf(d).check(FailureGroup, CancelledError));
  });

  test('Deferreds of different types race; the result type is their union', () => {
    const mixed: Deferred<[number, number | string]> = race([succeed(1), new Deferred<string>()]);
    assert.deepEqual(mixed.result, [0, 1]);
  });

  test('a loser whose canceller fires it with success does not change the result', () => {
    const a = new Deferred<string>((x) => x.callback('late success'));
    const b = new Deferred<string>();
    const d = race([a, b]);
    b.callback('first');
    assert.deepEqual(d.result, [1, 'first']);
  });
});
