import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, Failure, ensureDeferred, fail, maybeDeferred, succeed } from './index.js';
import { BoomError, failureOf } from './test-support/failure-of.js';


describe('await and Promises', () => {
  test('await gives the result of a Deferred fired later', async () => {
    const d = new Deferred<number>();
    setImmediate(() => d.callback(3));
    assert.equal(await d, 3);
  });

  test('await throws the error of a failed Deferred', async () => {
    await assert.rejects(async () => {
      await fail(new BoomError('awaited'));
    }, /awaited/);
  });

  test('awaiting consumes the result: the chain goes on with undefined', async () => {
    const d = succeed('v');
    assert.equal(await d, 'v');
    assert.equal(d.result, undefined);
  });

  test('asPromise resolves and rejects', async () => {
    assert.equal(await succeed(1).asPromise(), 1);
    const e = new BoomError('p');
    await assert.rejects(fail(e).asPromise(), (x) => x === e);
  });

  test('catch and finally work as on a Promise, so assert.rejects takes a Deferred', async () => {
    await assert.rejects(fail(new BoomError('nope')), /nope/);
    await assert.doesNotReject(succeed(1));
    assert.equal(await fail(new BoomError('c')).catch((e: Error) => e.message), 'c');
    const seen: string[] = [];
    assert.equal(await succeed(5).finally(() => seen.push('finally')), 5);
    await assert.rejects(fail(new BoomError('f')).finally(() => seen.push('again')), /f/);
    assert.deepEqual(seen, ['finally', 'again']);
  });

  test('then passes through onFulfilled and onRejected', async () => {
    assert.equal(await succeed(2).then((n) => n * 2), 4);
    assert.equal(await fail(new BoomError('r')).then(null, (e: Error) => e.message), 'r');
  });

  test('fromPromise fires when the Promise settles', async () => {
    const ok = Deferred.fromPromise(Promise.resolve('yes'));
    assert.equal(ok.called, false, 'a Promise settles in a microtask, never synchronously');
    await new Promise((r) => setImmediate(r));
    assert.equal(ok.result, 'yes');
    const bad = Deferred.fromPromise(Promise.reject(new BoomError('no')));
    await new Promise((r) => setImmediate(r));
    assert.ok(failureOf(bad).check(BoomError));
  });

  test('a Failure rejected by a Promise is kept as is', async () => {
    const f = new Failure(new BoomError('kept'));
    const d = Deferred.fromPromise(Promise.reject(f));
    await new Promise((r) => setImmediate(r));
    assert.equal(failureOf(d), f);
  });
});

describe('succeed, fail, maybeDeferred, ensureDeferred', () => {
  test('succeed and fail are already fired', () => {
    assert.equal(succeed(5).result, 5);
    assert.ok(failureOf(fail(new BoomError())).check(BoomError));
  });

  test('maybeDeferred turns a value into a fired Deferred', () => {
    const d = maybeDeferred((a: number, b: number) => a + b, 2, 3);
    assert.equal(d.result, 5);
  });

  test('maybeDeferred turns a throw into a failed Deferred', () => {
    const d = maybeDeferred(() => {
      throw new BoomError('thrown');
    });
    assert.ok(failureOf(d).check(BoomError));
  });

  test('maybeDeferred returns a returned Deferred itself and fails on a returned Failure', () => {
    const inner = new Deferred<number>();
    assert.equal(maybeDeferred(() => inner), inner);
    const f = new Failure(new BoomError('f'));
    assert.equal(failureOf(maybeDeferred(() => f)), f);
  });

  test('maybeDeferred wraps a returned Promise', async () => {
    const d = maybeDeferred(async () => 'async');
    assert.equal(await d, 'async');
  });

  test('ensureDeferred wraps an async function result', async () => {
    const d = ensureDeferred((async () => {
      await null;
      return 9;
    })());
    assert.ok(d instanceof Deferred);
    assert.equal(await d, 9);
  });

  test('ensureDeferred returns a Deferred as is and runs a generator', () => {
    const d = succeed(1);
    assert.equal(ensureDeferred(d), d);
    const g = ensureDeferred(
      (function* () {
        const x: number = yield succeed(20);
        return x + 1;
      })(),
    );
    assert.equal(g.result, 21);
  });

  test('ensureDeferred refuses other values', () => {
    assert.throws(() => ensureDeferred(5 as never), TypeError);
  });

  test('cancelling an ensureDeferred of a Promise fails it with CancelledError', () => {
    const d = ensureDeferred(new Promise<void>(() => undefined));
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
  });
});

describe('odd thenables', () => {
  test('a thenable whose then throws fails the Deferred instead of hanging', () => {
    const broken = {
      then() {
        throw new BoomError('broken then');
      },
    };
    const d = succeed(0).addCallback(() => broken as unknown as PromiseLike<number>);
    assert.ok(failureOf(d).check(BoomError));
  });
});
