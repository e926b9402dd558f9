import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, succeed } from './index.js';

const N = 100_000;

describe('no stack overflow', () => {
  test('100,000 callbacks on one Deferred', () => {
    const d = new Deferred<number>();
    for (let i = 0; i < N; i++) d.addCallback((n) => n + 1);
    d.callback(0);
    assert.equal(d.result, N);
  });

  test('100,000 errbacks that each rethrow', () => {
    const d = new Deferred<number>();
    for (let i = 0; i < N; i++) d.addErrback((f) => f);
    let count = 0;
    d.addErrback(() => {
      count++;
    });
    d.errback(new Error('deep'));
    assert.equal(count, 1);
  });

  test('100,000 Deferreds nested inside each other, fired from the innermost', () => {
    const innermost = new Deferred<number>();
    let current = innermost;
    for (let i = 0; i < N; i++) {
      const inner = current;
      current = succeed(0).addCallback(() => inner).addCallback((n) => n + 1);
    }
    innermost.callback(0);
    assert.equal(current.result, N);
  });

  test('a chain of 100,000 Deferreds each waiting on the next, fired from the far end', () => {
    const ds: Deferred<number>[] = [];
    for (let i = 0; i < N; i++) ds.push(new Deferred<number>());
    for (let i = 0; i < N - 1; i++) {
      const next = ds[i + 1];
      ds[i].addCallback(() => next);
    }
    for (let i = 0; i < N - 1; i++) ds[i].callback(0);
    ds[N - 1].callback(42);
    assert.equal(ds[0].result, 42);
  });

  test('100,000 callbacks that each return an already-fired Deferred', () => {
    const d = new Deferred<number>();
    for (let i = 0; i < N; i++) d.addCallback((n) => succeed(n + 1));
    d.callback(0);
    assert.equal(d.result, N);
  });

  // chainDeferred fires the next Deferred from inside a callback, synchronously, as Twisted does, so its
  // depth is bounded by the stack (deep pipelines should return Deferreds instead, as above).
  test('1,000 chainDeferred links', () => {
    const first = new Deferred<number>();
    let prev = first;
    for (let i = 0; i < 1000; i++) {
      const next = new Deferred<number>();
      prev.chainDeferred(next);
      prev = next;
    }
    first.callback(7);
    assert.equal(prev.result, 7);
  });
});
