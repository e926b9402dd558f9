import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, Failure } from '../defer/index.js';
import type { IThreadsReactor } from './index.js';
import { ThreadPool, deferToThread, deferToThreadPool, getDefaultThreadPool, registerTask, stopDefaultThreadPool, suggestThreadPoolSize } from './index.js';
import { Gate, TASKS_MODULE, t } from './test-support/helpers.js';
import { eventually } from '../testing/index.js';

/** A reactor whose `callFromThread` queue runs only when the test says so. */
class QueueReactor implements IThreadsReactor {
  readonly pending: (() => void)[] = [];
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    this.pending.push(() => fn(...args));
  }
  runPending(): void {
    for (const fn of this.pending.splice(0)) fn();
  }
}

describe('deferToThread', () => {
  after(() => stopDefaultThreadPool());

  test('takes a module URL and an export name, on the default pool', async () => {
    const d = deferToThread<number>(TASKS_MODULE, 'add', 20, 22);
    assert.ok(d instanceof Deferred);
    assert.equal(await d, 42);
    assert.ok(getDefaultThreadPool().stats.workers >= 1);
  });

  test('takes a task handle or a registered name', async () => {
    assert.equal(await deferToThread(t('asyncDouble'), 4), 8);
    registerTask('test.double', TASKS_MODULE, 'asyncDouble');
    assert.equal(await deferToThread('test.double', 5), 10);
  });

  test('a URL without an export name is refused', () => {
    assert.throws(() => deferToThread(TASKS_MODULE as URL, undefined as unknown as string), TypeError);
  });

  test('suggestThreadPoolSize sets the default pool size; stopDefaultThreadPool stops it', async () => {
    suggestThreadPoolSize(3);
    assert.equal(getDefaultThreadPool().max, 3);
    const pool = getDefaultThreadPool();
    await stopDefaultThreadPool();
    assert.equal(pool.started, false);
    assert.equal(pool.stats.workers, 0);
    const fresh = getDefaultThreadPool();
    assert.notEqual(fresh, pool);
    assert.equal(fresh.max, 3);
    assert.equal(await deferToThread(t('add'), 1, 1), 2);
  });
});

describe('deferToThreadPool', () => {
  const pool = new ThreadPool({ maxThreads: 1 });
  after(() => pool.stop());

  test("fires the Deferred in the reactor's turn, through callFromThread", async () => {
    const reactor = new QueueReactor();
    const d = deferToThreadPool(reactor, pool, t('add'), 2, 2);
    await eventually(() => reactor.pending.length === 1, { timeout: 60 });
    assert.equal(d.called, false, 'not before the reactor runs its queue');
    reactor.runPending();
    assert.equal(d.called, true);
    assert.equal(await d, 4);
  });

  test('failures arrive as Failures', async () => {
    const reactor = new QueueReactor();
    const d = deferToThreadPool(reactor, pool, t('throwCustom'), 'nope');
    await eventually(() => reactor.pending.length === 1, { timeout: 60 });
    reactor.runPending();
    const f = await d.then(
      () => assert.fail('expected failure'),
      (e: unknown) => new Failure(e),
    );
    assert.equal(f.getErrorMessage(), 'nope');
  });

  test('cancelling a queued task fails it with CancelledError and it never runs', async () => {
    const reactor = new QueueReactor();
    const gate = new Gate();
    const first = deferToThreadPool(reactor, pool, t('waitForGate'), gate.buffer);
    const counter = new SharedArrayBuffer(4);
    const queued = deferToThreadPool(reactor, pool, t('bump'), counter);
    await gate.entered();
    queued.cancel();
    await assert.rejects(queued.asPromise(), CancelledError);
    assert.equal(pool.stats.queued, 0);
    reactor.runPending();
    gate.open();
    await eventually(() => reactor.pending.length > 0, { timeout: 60 });
    reactor.runPending();
    await first;
    assert.equal(new Int32Array(counter)[0], 0);
  });
});
