import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, DeferredLock, DeferredSemaphore, Failure } from './index.js';

describe('DeferredLock', () => {
  test('one holder at a time; waiters get it in order', () => {
    const lock = new DeferredLock();
    const order: string[] = [];
    const a = lock.acquire().addCallback((l) => {
      assert.equal(l, lock);
      order.push('a');
    });
    lock.acquire().addCallback(() => void order.push('b'));
    lock.acquire().addCallback(() => void order.push('c'));
    assert.equal(a.called, true);
    assert.deepEqual(order, ['a']);
    assert.equal(lock.locked, true);
    assert.equal(lock.waitingCount, 2);
    lock.release();
    assert.deepEqual(order, ['a', 'b']);
    lock.release();
    assert.deepEqual(order, ['a', 'b', 'c']);
    lock.release();
    assert.equal(lock.locked, false);
  });

  test('releasing an unlocked lock throws', () => {
    assert.throws(() => new DeferredLock().release(), /unlocked/);
  });

  test('run holds the lock across an asynchronous function and releases after it', () => {
    const lock = new DeferredLock();
    const work = new Deferred<string>();
    const first = lock.run(() => work);
    const second = lock.run((x: number) => x * 2, 21);
    assert.equal(second.called, false);
    work.callback('done');
    assert.equal(first.result, 'done');
    assert.equal(second.result, 42);
    assert.equal(lock.locked, false);
  });

  test('run releases when the function throws, and passes the failure on', () => {
    const lock = new DeferredLock();
    const d = lock.run(() => {
      throw new Error('inside');
    });
    assert.equal(lock.locked, false);
    assert.ok(d.result instanceof Failure);
    d.addErrback(() => undefined);
  });

  test('cancelling a waiting acquire gives up its place', () => {
    const lock = new DeferredLock();
    lock.acquire();
    const waiting = lock.acquire();
    const third = lock.acquire();
    waiting.cancel();
    let f: Failure | undefined;
    waiting.addErrback((x) => {
      f = x;
    });
    assert.ok(f?.check(CancelledError));
    lock.release();
    assert.equal(third.called, true);
  });

  test('cancelling an acquire that already has the lock does nothing', () => {
    const lock = new DeferredLock();
    const d = lock.acquire();
    d.cancel();
    assert.equal(d.result, lock);
    assert.equal(lock.locked, true);
  });
});

describe('DeferredSemaphore', () => {
  test('at most `tokens` holders; the rest wait in order', () => {
    const sem = new DeferredSemaphore(2);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) sem.acquire().addCallback(() => void got.push(i));
    assert.deepEqual(got, [0, 1]);
    assert.equal(sem.tokens, 0);
    sem.release();
    assert.deepEqual(got, [0, 1, 2]);
    sem.release();
    sem.release();
    sem.release();
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.equal(sem.tokens, 2);
  });

  test('run limits concurrency', () => {
    const sem = new DeferredSemaphore(2);
    let running = 0;
    let peak = 0;
    const works = [0, 1, 2, 3, 4].map(() => new Deferred<void>());
    const results = works.map((w, i) =>
      sem.run(() => {
        running++;
        peak = Math.max(peak, running);
        return w.addCallback(() => {
          running--;
          return i;
        });
      }),
    );
    assert.equal(running, 2);
    for (const w of works) w.callback();
    assert.equal(peak, 2);
    assert.deepEqual(results.map((r) => r.result), [0, 1, 2, 3, 4]);
  });

  test('needs at least one token and refuses extra releases', () => {
    assert.throws(() => new DeferredSemaphore(0), RangeError);
    assert.throws(() => new DeferredSemaphore(1).release(), /too many/);
  });

  test('cancelling a waiting acquire removes it', () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const waiting = sem.acquire();
    assert.equal(sem.waitingCount, 1);
    waiting.cancel();
    assert.equal(sem.waitingCount, 0);
    waiting.addErrback((f) => void f.trap(CancelledError));
    sem.release();
    assert.equal(sem.tokens, 1);
  });
});
