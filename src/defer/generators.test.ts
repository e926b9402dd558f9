import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, Failure, fail, inlineCallbacks, succeed } from './index.js';
import { BoomError, failureOf } from './test-support/failure-of.js';


describe('inlineCallbacks', () => {
  test('yields Deferreds and returns the generator result', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const add = inlineCallbacks(function* () {
      const x: number = yield a;
      const y: number = yield b;
      return x + y;
    });
    const d = add();
    assert.equal(d.called, false);
    a.callback(1);
    assert.equal(d.called, false);
    b.callback(2);
    assert.equal(d.result, 3);
  });

  test('passes arguments and this', () => {
    const obj = {
      base: 10,
      addTo: inlineCallbacks(function* (this: { base: number }, n: number) {
        const m: number = yield succeed(n);
        return this.base + m;
      }),
    };
    assert.equal(obj.addTo(5).result, 15);
  });

  test('already-fired Deferreds continue synchronously', () => {
    const d = inlineCallbacks(function* () {
      let total = 0;
      for (let i = 0; i < 3; i++) total += (yield succeed(i)) as number;
      return total;
    })();
    assert.equal(d.result, 3);
  });

  test('100,000 yields of fired Deferreds do not overflow the stack', () => {
    const d = inlineCallbacks(function* () {
      let n = 0;
      for (let i = 0; i < 100_000; i++) n = (yield succeed(n + 1)) as number;
      return n;
    })();
    assert.equal(d.result, 100_000);
  });

  test('a failure is thrown into the generator at the yield, as the error', () => {
    const d = inlineCallbacks(function* () {
      try {
        yield fail(new BoomError('at yield'));
        return 'not reached';
      } catch (e) {
        assert.ok(e instanceof BoomError);
        return `caught ${e.message}`;
      }
    })();
    assert.equal(d.result, 'caught at yield');
  });

  test('a failure arriving later is thrown in too', () => {
    const later = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      try {
        yield later;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    later.errback(new BoomError('later'));
    assert.equal(d.result, 'later');
  });

  test('an uncaught error fails the returned Deferred', () => {
    const d = inlineCallbacks(function* () {
      yield succeed(1);
      throw new BoomError('uncaught');
    })();
    assert.ok(failureOf(d).check(BoomError));
  });

  test('an error thrown before the first yield fails the Deferred too', () => {
    // eslint-disable-next-line require-yield
    const d = inlineCallbacks(function* () {
      throw new BoomError('early');
    })();
    assert.ok(failureOf(d).check(BoomError));
  });

  test('yields Promises', async () => {
    const d = inlineCallbacks(function* () {
      const a: number = yield Promise.resolve(2);
      try {
        yield Promise.reject(new BoomError('rejected'));
      } catch (e) {
        return a + (e as Error).message.length;
      }
    })();
    assert.equal(await d, 2 + 'rejected'.length);
  });

  test('other yielded values come straight back', () => {
    const d = inlineCallbacks(function* () {
      const x: number = yield 5;
      return x;
    })();
    assert.equal(d.result, 5);
  });

  test('returning a Deferred chains it', () => {
    const inner = new Deferred<string>();
    const d = inlineCallbacks(function* () {
      yield succeed(0);
      return inner;
    })();
    assert.equal(d.called, true);
    assert.equal(d.paused, true);
    inner.callback('chained');
    assert.equal(d.result, 'chained');
  });

  test('the awaited Deferred goes on with undefined: its failure is not left unhandled there', () => {
    const awaited = fail(new BoomError('handled by the generator'));
    inlineCallbacks(function* () {
      try {
        yield awaited;
      } catch {
        // handled
      }
    })();
    assert.equal(awaited.result, undefined);
  });

  test('cancelling cancels the awaited Deferred; an uncaught CancelledError fails the result', () => {
    let cancelled = false;
    const awaited = new Deferred<number>(() => {
      cancelled = true;
    });
    const d = inlineCallbacks(function* () {
      yield awaited;
      return 'not reached';
    })();
    d.cancel();
    assert.equal(cancelled, true);
    assert.ok(failureOf(d).check(CancelledError));
  });

  test('a generator that catches the cancellation can go on and decide the result', () => {
    const first = new Deferred<number>();
    const second = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      try {
        yield first;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      const n: number = yield second;
      return `recovered ${n}`;
    })();
    d.cancel();
    assert.equal(first.result, undefined);
    assert.equal(d.result instanceof Failure, false, 'not failed: the generator is still running');
    second.callback(2);
    assert.equal(d.result, 'recovered 2');
  });

  test('cancelling twice cancels what is awaited each time', () => {
    const cancelled: string[] = [];
    const d1 = new Deferred<number>(() => cancelled.push('d1'));
    const d2 = new Deferred<number>(() => cancelled.push('d2'));
    const d = inlineCallbacks(function* () {
      try {
        yield d1;
      } catch {
        // go on to the next step
      }
      yield d2;
    })();
    d.cancel();
    d.cancel();
    assert.deepEqual(cancelled, ['d1', 'd2']);
    assert.ok(failureOf(d).check(CancelledError));
  });
});
