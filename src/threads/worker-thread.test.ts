import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerCrashedError, WorkerThread } from './index.js';
import { t } from './test-support/helpers.js';

function run(w: WorkerThread, name: Parameters<typeof t>[0], ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => w.run(t(name), args, undefined, (ok, v) => (ok ? resolve(v) : reject(v))));
}

describe('WorkerThread', () => {
  const threads: WorkerThread[] = [];
  after(async () => {
    for (const w of threads) await w.terminate();
  });

  test('tasks sent ahead run one at a time, in order, async ones included', async () => {
    const w = new WorkerThread();
    threads.push(w);
    const order: number[] = [];
    const ps = [
      run(w, 'asyncDouble', 1).then((v) => order.push(v as number)),
      run(w, 'add', 1, 2).then((v) => order.push(v as number)),
      run(w, 'asyncDouble', 3).then((v) => order.push(v as number)),
      run(w, 'add', 3, 4).then((v) => order.push(v as number)),
    ];
    assert.equal(w.pending, 4);
    await Promise.all(ps);
    assert.deepEqual(order, [2, 3, 6, 7]);
    assert.equal(w.busy, false);
  });

  test('a crash fails every task sent to that worker', async () => {
    const w = new WorkerThread();
    threads.push(w);
    const crashed = run(w, 'exitNow', 4);
    const behind = run(w, 'add', 1, 1);
    for (const p of [crashed, behind]) {
      await assert.rejects(p, (e: unknown) => e instanceof WorkerCrashedError && e.exitCode === 4);
    }
    assert.equal(w.exited, true);
    assert.throws(() => w.run(t('add'), [1, 1], undefined, () => {}), WorkerCrashedError);
  });
});
