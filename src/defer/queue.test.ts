import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, DeferredQueue, QueueOverflow, QueueUnderflow } from './index.js';

describe('DeferredQueue', () => {
  test('get before put waits; put hands the item to the oldest get', () => {
    const q = new DeferredQueue<string>();
    const got: string[] = [];
    q.get().addCallback((x) => void got.push(`1:${x}`));
    q.get().addCallback((x) => void got.push(`2:${x}`));
    assert.equal(q.waitingCount, 2);
    q.put('a');
    q.put('b');
    assert.deepEqual(got, ['1:a', '2:b']);
  });

  test('put before get holds items; get returns them in order, already fired', () => {
    const q = new DeferredQueue<number>();
    q.put(1);
    q.put(2);
    assert.deepEqual(q.pending, [1, 2]);
    assert.equal(q.get().result, 1);
    assert.equal(q.get().result, 2);
    assert.deepEqual(q.pending, []);
  });

  test('size bounds the items held: QueueOverflow', () => {
    const q = new DeferredQueue<number>({ size: 2 });
    q.put(1);
    q.put(2);
    assert.throws(() => q.put(3), QueueOverflow);
    q.get();
    q.put(3);
    assert.deepEqual(q.pending, [2, 3]);
  });

  test('a put with a waiting get does not count against size', () => {
    const q = new DeferredQueue<number>({ size: 0 });
    const d = q.get();
    q.put(1);
    assert.equal(d.result, 1);
    assert.throws(() => q.put(2), QueueOverflow);
  });

  test('backlog bounds the waiting gets: QueueUnderflow', () => {
    const q = new DeferredQueue<number>({ backlog: 1 });
    q.get();
    assert.throws(() => q.get(), QueueUnderflow);
  });

  test('cancelling a waiting get removes it from the line', () => {
    const q = new DeferredQueue<number>({ backlog: 1 });
    const first = q.get();
    first.cancel();
    first.addErrback((f) => void f.trap(CancelledError));
    assert.equal(q.waitingCount, 0);
    const second = q.get();
    q.put(7);
    assert.equal(second.result, 7);
  });

  test('keeps order over many items', () => {
    const q = new DeferredQueue<number>();
    for (let i = 0; i < 5000; i++) q.put(i);
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) out.push(q.get().result as number);
    assert.deepEqual(out, Array.from({ length: 5000 }, (_, i) => i));
  });
});
