import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { Clock } from '../testing/index.js';
import { BARRIER_MESSAGE, READY_MESSAGE, WorkerSupervisor, parseWorkers, primaryCaughtUp } from './workers.js';
import { UsageError } from '../app/index.js';

/** A worker that lives in this process: ready, died and killed on the test's say. */
class FakeWorker extends EventEmitter {
  static nextPid = 1000;
  readonly signals: string[] = [];
  readonly sent: unknown[] = [];
  dead = false;
  readonly process = {
    pid: FakeWorker.nextPid++,
    kill: (signal: string): void => {
      this.signals.push(signal);
    },
  };
  isDead(): boolean {
    return this.dead;
  }
  send(message: unknown): void {
    this.sent.push(message);
  }
  ready(): void {
    this.emit('message', READY_MESSAGE);
  }
  exit(code: number | null, signal: string | null = null): void {
    this.dead = true;
    this.emit('exit', code, signal);
  }
}

function supervisor(count: number, limits = {}): { sup: WorkerSupervisor; clock: Clock; forked: FakeWorker[] } {
  const clock = new Clock();
  const forked: FakeWorker[] = [];
  const sup = new WorkerSupervisor(count, clock, limits, () => {
    const w = new FakeWorker();
    forked.push(w);
    return w as unknown as Worker;
  });
  return { sup, clock, forked };
}

test('parseWorkers: numbers, auto, and usage errors for the rest', () => {
  assert.equal(parseWorkers('3'), 3);
  assert.ok(parseWorkers('auto') >= 1);
  for (const bad of ['0', '-1', '1.5', 'many', '100000']) assert.throws(() => parseWorkers(bad), UsageError, bad);
});

test('a worker that keeps dying is replaced with a doubling back-off, capped', async () => {
  const { sup, clock, forked } = supervisor(1, { restartDelay: 1, maxRestartDelay: 4, stableAfter: 100 });
  const started = sup.start();
  forked[0].ready();
  await started;
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = forked.length;
    forked.at(-1)!.exit(1);
    let waited = 0;
    while (forked.length === before) {
      clock.advance(0.5);
      waited += 0.5;
      assert.ok(waited <= 10, 'never replaced');
    }
    delays.push(waited);
    forked.at(-1)!.ready();
  }
  assert.deepEqual(delays, [1, 2, 4, 4, 4]);
});

test('the primary answers a worker that stopped listening, so the worker knows every connection handed to it has arrived', async () => {
  const { sup, forked } = supervisor(1);
  const started = sup.start();
  forked[0].ready();
  await started;
  forked[0].emit('message', BARRIER_MESSAGE);
  assert.deepEqual(forked[0].sent, [BARRIER_MESSAGE]);
});

test('primaryCaughtUp outside a worker resolves at once', async () => {
  await primaryCaughtUp(new Clock(), 60);
});

test('a worker that lived past stableAfter is replaced after the first delay again', async () => {
  const { sup, clock, forked } = supervisor(1, { restartDelay: 1, maxRestartDelay: 8, stableAfter: 5 });
  const started = sup.start();
  forked[0].ready();
  await started;
  forked[0].exit(1);
  clock.advance(1);
  forked[1].ready();
  forked[1].exit(1);
  clock.advance(1);
  assert.equal(forked.length, 2, 'second death in a row waits 2 s');
  clock.advance(1);
  assert.equal(forked.length, 3);
  forked[2].ready();
  clock.advance(6);
  forked[2].exit(null, 'SIGKILL');
  clock.advance(1);
  assert.equal(forked.length, 4, 'a stable worker resets the back-off');
});

test('rolling restart: each replacement is ready before its predecessor is told to stop', async () => {
  const { sup, forked } = supervisor(2);
  const started = sup.start();
  forked.forEach((w) => w.ready());
  await started;
  const rolling = sup.rollingRestart();
  assert.equal(forked.length, 3);
  assert.deepEqual(forked[0].signals, [], 'old worker untouched until the new one is ready');
  forked[2].ready();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(forked[0].signals, ['SIGTERM']);
  assert.equal(forked.length, 3, 'the next one waits for the first old worker to exit');
  forked[0].exit(0);
  await new Promise((r) => setImmediate(r));
  assert.equal(forked.length, 4);
  forked[3].ready();
  await new Promise((r) => setImmediate(r));
  forked[1].exit(0);
  await rolling;
  assert.deepEqual(sup.pids().sort(), [forked[2].process.pid, forked[3].process.pid].sort());
  assert.equal(forked.length, 4, 'drained workers are not replaced as if they had died');
});

test('stop drains every worker, killing one that outlives the grace period', async () => {
  const { sup, clock, forked } = supervisor(2, { gracePeriod: 3 });
  const started = sup.start();
  forked.forEach((w) => w.ready());
  await started;
  const stopped = sup.stop();
  assert.deepEqual(forked.map((w) => w.signals), [['SIGTERM'], ['SIGTERM']]);
  forked[0].exit(0);
  clock.advance(3);
  assert.deepEqual(forked[1].signals, ['SIGTERM', 'SIGKILL']);
  forked[1].exit(null, 'SIGKILL');
  await stopped;
  clock.advance(100);
  assert.equal(forked.length, 2, 'nothing replaced after stop');
});
