import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Failure } from '../defer/index.js';
import { Clock, eventually } from '../testing/index.js';
import { QueueFullError, ThreadPool, ThreadPoolStoppedError, WorkerCrashedError, WorkerError, UnknownTaskError, registerTask, task, transfer } from './index.js';
import { Gate, TASKS_MODULE, t } from './test-support/helpers.js';

async function failureOf(d: PromiseLike<unknown> & { addErrback?: unknown }): Promise<Failure> {
  try {
    await d;
  } catch (e) {
    return new Failure(e);
  }
  assert.fail('expected a failure');
}

describe('ThreadPool', () => {
  const pools: ThreadPool[] = [];
  function pool(options: ConstructorParameters<typeof ThreadPool>[0] = {}): ThreadPool {
    const p = new ThreadPool({ maxThreads: 2, ...options });
    pools.push(p);
    return p;
  }
  after(async () => {
    for (const p of pools) await p.stop();
  });

  test('runs a task named by module URL and export, with the result on the main thread', async () => {
    const p = pool();
    assert.equal(await p.defer(t('add'), 2, 3), 5);
    assert.equal(await p.defer(t('asyncDouble'), 21), 42);
    const who = await p.defer(t('whoAmI'));
    assert.notEqual(who.threadId, 0);
    assert.equal(who.inWorker, true);
  });

  test('starts workers lazily, up to maxThreads', async () => {
    const p = pool({ maxThreads: 2 });
    assert.equal(p.stats.workers, 0);
    const gates = [new Gate(), new Gate(), new Gate()];
    const ds = gates.map((g) => p.defer(t('waitForGate'), g.buffer));
    await gates[0].entered();
    await gates[1].entered();
    assert.deepEqual(p.stats, { workers: 2, busy: 2, idle: 0, queued: 1 });
    for (const g of gates) g.open();
    const ids = await Promise.all(ds);
    assert.equal(new Set(ids).size, 2);
    assert.deepEqual({ ...p.stats, idle: 2 }, { workers: 2, busy: 0, idle: 2, queued: 0 });
  });

  test('runs queued tasks in FIFO order', async () => {
    const p = pool({ maxThreads: 1 });
    const gate = new Gate();
    const order: number[] = [];
    const first = p.defer(t('waitForGate'), gate.buffer).addCallback(() => void order.push(0));
    const rest = [1, 2, 3, 4, 5].map((i) => p.defer(t('add'), i, 0).addCallback((n) => void order.push(n)));
    await gate.entered();
    assert.equal(p.stats.queued, 5);
    gate.open();
    await Promise.all([first, ...rest]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  test('retires idle workers above minThreads after idleTimeout seconds (fake clock)', async () => {
    const clock = new Clock();
    const p = pool({ minThreads: 1, maxThreads: 3, idleTimeout: 10, clock });
    const gates = [new Gate(), new Gate(), new Gate()];
    const ds = gates.map((g) => p.defer(t('waitForGate'), g.buffer));
    await Promise.all(gates.map((g) => g.entered()));
    for (const g of gates) g.open();
    await Promise.all(ds);
    assert.equal(p.stats.workers, 3);
    clock.advance(9);
    assert.equal(p.stats.workers, 3);
    clock.advance(1);
    await eventually(() => p.stats.workers === 1, { timeout: 60, message: 'idle workers to retire' });
    assert.equal(p.stats.idle, 1);
    assert.equal(await p.defer(t('add'), 1, 1), 2);
  });

  test('start() starts minThreads workers before any task', async () => {
    const p = pool({ minThreads: 2, maxThreads: 2 });
    p.start();
    assert.equal(p.stats.workers, 2);
    assert.equal(p.stats.idle, 2);
  });

  test('a task registered by name', async () => {
    const p = pool();
    registerTask('test.add', TASKS_MODULE, 'add');
    assert.equal(await p.defer('test.add', 40, 2), 42);
    const f = await failureOf(p.defer('test.nobody'));
    assert.ok(f.check(UnknownTaskError));
  });

  test('a module without that export fails with UnknownTaskError', async () => {
    const p = pool();
    const f = await failureOf(p.defer(task(TASKS_MODULE, 'notAFunction')));
    assert.ok(f.check(UnknownTaskError), String(f));
    assert.match(f.getErrorMessage(), /notAFunction/);
  });

  test("an error thrown in the worker arrives as a Failure with the worker's stack", async () => {
    const p = pool();
    const f = await failureOf(p.defer(t('throwCustom'), 'bad input'));
    assert.ok(f.check(WorkerError));
    assert.equal(f.value.name, 'CustomError');
    assert.equal(f.getErrorMessage(), 'bad input');
    assert.equal((f.value as unknown as { code: string }).code, 'E_CUSTOM');
    assert.match(f.getTraceback(), /throwCustom/);
    assert.match(f.getTraceback(), /test-support[/\\]tasks\.ts/);
    const typeError = await failureOf(p.defer(t('throwType')));
    assert.ok(typeError.check(TypeError));
    assert.match(typeError.getTraceback(), /throwType/);
  });

  test('arguments that cannot be cloned fail the task, and the pool goes on', async () => {
    const p = pool({ maxThreads: 1 });
    const f = await failureOf(p.defer(task(TASKS_MODULE, 'add'), (() => 1) as unknown as number, 2));
    assert.equal(f.value.name, 'DataCloneError');
    assert.equal(await p.defer(t('add'), 1, 2), 3);
  });

  test('a result that cannot be cloned fails the task', async () => {
    const p = pool({ maxThreads: 1 });
    const f = await failureOf(p.defer(t('returnsFunction')));
    assert.equal(f.value.name, 'DataCloneError');
    assert.equal(await p.defer(t('add'), 2, 2), 4);
  });

  test('a worker that exits fails only its own task, and is replaced', async () => {
    const p = pool({ maxThreads: 2 });
    const gate = new Gate();
    const other = p.defer(t('waitForGate'), gate.buffer);
    await gate.entered();
    const f = await failureOf(p.defer(t('exitNow'), 3));
    assert.ok(f.check(WorkerCrashedError), String(f));
    assert.equal((f.value as WorkerCrashedError).exitCode, 3);
    assert.match(f.getErrorMessage(), /exitNow/);
    gate.open();
    assert.equal(typeof (await other), 'number');
    assert.deepEqual(await Promise.all([p.defer(t('add'), 1, 1), p.defer(t('add'), 2, 2)]), [2, 4]);
  });

  test('an uncaught error in a worker fails its task with the error as cause', async () => {
    const p = pool({ maxThreads: 1, minThreads: 1 });
    const f = await failureOf(p.defer(t('crashLater')));
    assert.ok(f.check(WorkerCrashedError));
    assert.match(f.getErrorMessage(), /boom from a timer/);
    assert.match(f.getTraceback(), /Caused by: .*boom from a timer/);
    await eventually(() => p.stats.workers === 1, { timeout: 60, message: 'a replacement worker (minThreads)' });
    assert.equal(await p.defer(t('add'), 5, 5), 10);
  });

  test('cancelling a queued task removes it from the queue; it never runs', async () => {
    const p = pool({ maxThreads: 1 });
    const gate = new Gate();
    const counter = new SharedArrayBuffer(4);
    const first = p.defer(t('waitForGate'), gate.buffer);
    const queued = p.defer(t('bump'), counter);
    await gate.entered();
    assert.equal(p.stats.queued, 1);
    queued.cancel();
    assert.equal(p.stats.queued, 0);
    assert.ok((await failureOf(queued)).check(CancelledError));
    gate.open();
    await first;
    assert.equal(await p.defer(t('bump'), counter), 1);
  });

  test('cancelling a running task fails it at once and drops its result; the worker is reused', async () => {
    const p = pool({ maxThreads: 1 });
    const gate = new Gate();
    const running = p.defer(t('waitForGate'), gate.buffer);
    await gate.entered();
    running.cancel();
    const f = await failureOf(running);
    assert.ok(f.check(CancelledError));
    const next = p.defer(t('whoAmI'));
    assert.equal(p.stats.queued, 1, 'the worker is still busy with the cancelled task');
    gate.open();
    assert.equal((await next).inWorker, true);
    assert.equal(p.stats.workers, 1);
  });

  test('with terminateOnCancel, cancelling a running task replaces its worker', async () => {
    const p = pool({ maxThreads: 1, terminateOnCancel: true });
    const before = await p.defer(t('whoAmI'));
    const gate = new Gate();
    const running = p.defer(t('waitForGate'), gate.buffer);
    await gate.entered();
    running.cancel();
    assert.ok((await failureOf(running)).check(CancelledError));
    const after = await p.defer(t('whoAmI'));
    assert.notEqual(after.threadId, before.threadId);
    assert.equal(p.stats.workers, 1);
  });

  test('stop() lets running work finish, fails queued work, refuses new work; start() revives', async () => {
    const p = pool({ maxThreads: 1 });
    const gate = new Gate();
    const running = p.defer(t('waitForGate'), gate.buffer);
    const queued = p.defer(t('add'), 1, 2);
    await gate.entered();
    let stopped = false;
    const stopping = p.stop().addCallback(() => {
      stopped = true;
    });
    const f = await failureOf(queued);
    assert.ok(f.check(ThreadPoolStoppedError));
    assert.ok((await failureOf(p.defer(t('add'), 1, 2))).check(ThreadPoolStoppedError));
    assert.equal(stopped, false);
    gate.open();
    assert.equal(typeof (await running), 'number');
    await stopping;
    assert.equal(p.stats.workers, 0);
    p.start();
    assert.equal(await p.defer(t('add'), 1, 2), 3);
  });

  test('maxQueue bounds the waiting tasks', async () => {
    const p = pool({ maxThreads: 1, maxQueue: 1 });
    const gate = new Gate();
    const running = p.defer(t('waitForGate'), gate.buffer);
    const queued = p.defer(t('add'), 1, 1);
    const f = await failureOf(p.defer(t('add'), 2, 2));
    assert.ok(f.check(QueueFullError));
    await gate.entered();
    gate.open();
    await running;
    assert.equal(await queued, 2);
  });

  test('a transferred ArrayBuffer is moved: detached here, whole in the worker', async () => {
    const p = pool();
    const buffer = new ArrayBuffer(1 << 20);
    const length = await p.defer(t('byteLengthOf'), transfer(buffer));
    assert.equal(length, 1 << 20);
    assert.equal(buffer.byteLength, 0, 'detached on the sending side');
    const copied = new ArrayBuffer(16);
    assert.equal(await p.defer(t('byteLengthOf'), copied), 16);
    assert.equal(copied.byteLength, 16, 'copied when not marked');
    const back = await p.defer(t('makeBuffer'), 1024, 7);
    assert.ok(back instanceof Uint8Array);
    assert.equal(back.length, 1024);
    assert.equal(back[1023], 7);
  });

  test('adjustPoolsize changes the limits', async () => {
    const p = pool({ maxThreads: 1 });
    p.adjustPoolsize(2, 3);
    assert.equal(p.min, 2);
    assert.equal(p.max, 3);
    assert.equal(p.stats.workers, 2);
    assert.throws(() => p.adjustPoolsize(3, 2), RangeError);
  });

  test('options Node refuses fail the task, not the pool', async () => {
    const p = pool({ execArgv: ['--definitely-not-a-node-flag'] });
    const f = await failureOf(p.defer(t('add'), 1, 1));
    assert.match(f.getErrorMessage(), /definitely-not-a-node-flag|execArgv/);
  });
});
