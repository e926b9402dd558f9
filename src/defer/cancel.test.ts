import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/clock.js';
import { CancelledError, Deferred, Failure, TimeoutError, succeed } from './index.js';

function failureOf(d: Deferred<unknown>): Failure {
  let f: Failure | undefined;
  d.addErrback((x) => {
    f = x;
  });
  assert.ok(f, 'expected the Deferred to have failed');
  return f;
}

describe('cancel', () => {
  test('calls the canceller with the Deferred', () => {
    let given: Deferred<number> | undefined;
    const d = new Deferred<number>((x) => {
      given = x;
    });
    d.cancel();
    assert.equal(given, d);
    assert.ok(failureOf(d).check(CancelledError));
  });

  test('a canceller that fires the Deferred decides the result', () => {
    const d = new Deferred<string>((x) => x.callback('aborted cleanly'));
    d.cancel();
    assert.equal(d.result, 'aborted cleanly');
  });

  test('a canceller that errbacks decides the failure', () => {
    class AbortError extends Error {}
    const d = new Deferred<string>((x) => x.errback(new AbortError('stop')));
    d.cancel();
    assert.ok(failureOf(d).check(AbortError));
  });

  test('without a canceller: CancelledError, and the one later callback is swallowed', () => {
    const d = new Deferred<number>();
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
    d.callback(1); // the abandoned work finishing: ignored once
    assert.throws(() => d.callback(2), /already been called/);
  });

  test('with a canceller that does not fire it, a later callback raises AlreadyCalledError', () => {
    const d = new Deferred<number>(() => undefined);
    d.cancel();
    failureOf(d);
    assert.throws(() => d.callback(1), /already been called/);
  });

  test('cancelling a fired Deferred does nothing', () => {
    let cancellerCalls = 0;
    const d = new Deferred<number>(() => cancellerCalls++);
    d.callback(1);
    d.cancel();
    assert.equal(cancellerCalls, 0);
    assert.equal(d.result, 1);
  });

  test('cancelling an outer Deferred that waits on an inner one cancels the inner one', () => {
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const outer = succeed(0).addCallback(() => inner);
    outer.cancel();
    assert.equal(innerCancelled, true);
    assert.ok(failureOf(outer).check(CancelledError));
  });

  test('cancelling a Deferred made from a Promise fails it now and drops the late result', async () => {
    let resolve!: (v: number) => void;
    const d = Deferred.fromPromise(new Promise<number>((r) => (resolve = r)));
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
    resolve(5);
    await new Promise((r) => setImmediate(r));
    assert.equal(d.result, undefined);
  });
});

describe('addTimeout', () => {
  test('fails with TimeoutError after the given seconds on the clock', () => {
    const clock = new Clock();
    let cancelled = false;
    const d = new Deferred<string>(() => {
      cancelled = true;
    }).addTimeout(10, clock);
    clock.advance(9.9);
    assert.equal(d.called, false);
    clock.advance(0.1);
    assert.equal(cancelled, true);
    const f = failureOf(d);
    assert.ok(f.check(TimeoutError));
    assert.equal((f.value as TimeoutError).seconds, 10);
  });

  test('a result in time cancels the timer and passes through', () => {
    const clock = new Clock();
    const d = new Deferred<string>().addTimeout(10, clock);
    d.callback('fast');
    assert.equal(clock.getDelayedCalls().length, 0);
    assert.equal(d.result, 'fast');
  });

  test('a failure in time passes through unchanged', () => {
    const clock = new Clock();
    class Refused extends Error {}
    const d = new Deferred<string>().addTimeout(10, clock);
    d.errback(new Refused('no'));
    assert.ok(failureOf(d).check(Refused));
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('onTimeoutCancel decides the result after a timeout', () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    const d = new Deferred<string>().addTimeout(5, clock, (result, seconds) => {
      seen.push(result instanceof Failure && result.check(CancelledError), seconds);
      return 'default';
    });
    clock.advance(5);
    assert.deepEqual(seen, [CancelledError, 5]);
    assert.equal(d.result, 'default');
  });

  test('a canceller that fires with success on timeout keeps that success', () => {
    const clock = new Clock();
    const d = new Deferred<string>((x) => x.callback('partial')).addTimeout(1, clock);
    clock.advance(1);
    assert.equal(d.result, 'partial');
  });

  test('a timeout on an outer Deferred cancels the inner one it waits on', () => {
    const clock = new Clock();
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const outer = succeed(0).addCallback(() => inner).addTimeout(3, clock);
    clock.advance(3);
    assert.equal(innerCancelled, true);
    assert.ok(failureOf(outer).check(TimeoutError));
  });
});
