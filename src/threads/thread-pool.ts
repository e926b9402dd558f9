/**
 * `ThreadPool`: worker threads started on demand, retired when idle, fed from one FIFO queue
 * (Twisted's `twisted.python.threadpool.ThreadPool`, on `worker_threads`).
 * @module
 */
import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { CancelledError, Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { QueueFullError, ThreadPoolStoppedError, WorkerCrashedError } from './errors.js';
import type { AnyFunction, MovableArgs, Task, TaskCallback, TaskLike, TaskResult, ThreadPoolOptions, ThreadPoolStats, WorkerThreadOptions } from './interfaces.js';
import { resolveTask } from './task.js';
import { takeTransfers } from './transfer.js';
import { WorkerThread, type WorkerExit } from './worker-thread.js';
import { defaultReactor } from '../time/default-reactor.js';
import type { IDelayedCall, IReactorTime } from '../time/interfaces.js';

const log = new Logger({ namespace: 'torsion.threads' });

const QUEUED = 0;
const RUNNING = 1;
const FINISHED = 2;

/** A submitted task; `cancel()` it to drop it from the queue or drop its result. */
export interface TaskHandle {
  /**
   * Cancels the task: a queued one is removed from the queue, a running one has its result dropped
   * (the worker is terminated if the pool has `terminateOnCancel`). Either way the callback gets a
   * `CancelledError`. Does nothing once the task has finished.
   */
  cancel(): void;
}

class Job implements TaskHandle {
  state = QUEUED;
  constructor(
    readonly pool: ThreadPool,
    readonly task: Task,
    readonly args: unknown[],
    readonly list: TransferListItem[] | undefined,
    readonly onResult: TaskCallback,
  ) {}

  cancel(): void {
    cancelJob(this);
  }
}

let cancelJob: (job: Job) => void;

type State = 'running' | 'stopping' | 'stopped';

/**
 * A pool of worker threads. Workers start when work arrives (up to `maxThreads`), are kept down to
 * `minThreads` when idle, and idle ones above that retire after `idleTimeout` seconds. Idle workers do
 * not keep the process alive.
 *
 * @example
 * const pool = new ThreadPool({ maxThreads: 4 });
 * const d = deferToThreadPool(reactor, pool, task(new URL('./hash.js', import.meta.url), 'digest'), bytes);
 * d.addCallback((hex) => console.log(hex));
 * await pool.stop();
 */
export class ThreadPool {
  #min: number;
  #max: number;
  readonly #idleTimeout: number;
  readonly #maxQueue: number;
  readonly #terminateOnCancel: boolean;
  readonly #clock: IReactorTime;
  readonly #workerOptions: WorkerThreadOptions;
  readonly #workers = new Set<WorkerThread>();
  /** Idle workers; the most recently idle is reused first, so the others can retire. */
  readonly #idle: WorkerThread[] = [];
  readonly #retireCalls = new Map<WorkerThread, IDelayedCall>();
  readonly #running = new Map<WorkerThread, Job>();
  /** Workers told to exit that have not exited yet. */
  readonly #retiring = new Set<WorkerThread>();
  #queue: Job[] = [];
  #head = 0;
  #queued = 0;
  #state: State = 'running';
  #stopWaiters: Deferred<void>[] = [];
  #spawned = 0;

  static {
    cancelJob = (job) => job.pool.#cancel(job);
  }

  constructor(options: ThreadPoolOptions = {}) {
    const { minThreads = 0, maxThreads = availableParallelism(), idleTimeout = 30, maxQueue = Infinity, terminateOnCancel = false, clock, ...workerOptions } = options;
    checkSizes(minThreads, maxThreads);
    this.#min = minThreads;
    this.#max = maxThreads;
    this.#idleTimeout = idleTimeout;
    this.#maxQueue = maxQueue;
    this.#terminateOnCancel = terminateOnCancel;
    this.#clock = clock ?? defaultReactor();
    this.#workerOptions = workerOptions;
  }

  /** Workers kept alive when idle. */
  get min(): number {
    return this.#min;
  }

  /** Most workers at once. */
  get max(): number {
    return this.#max;
  }

  /** False once `stop()` was called (until `start()`). */
  get started(): boolean {
    return this.#state === 'running';
  }

  /** Counts of workers and queued tasks. */
  get stats(): ThreadPoolStats {
    return { workers: this.#workers.size, busy: this.#running.size, idle: this.#idle.length, queued: this.#queued };
  }

  /** Starts `minThreads` workers now rather than on first use; after `stop()`, accepts work again. */
  start(): void {
    this.#state = 'running';
    while (this.#live < this.#min) this.#makeIdle(this.#spawn());
  }

  /**
   * Stops the pool: queued tasks fail with `ThreadPoolStoppedError`, running ones finish, then every
   * worker exits. The Deferred fires once they all have. New tasks fail until `start()`.
   */
  stop(): Deferred<void> {
    if (this.#state === 'running') this.#state = 'stopping';
    const d = new Deferred<void>();
    this.#stopWaiters.push(d);
    const stopped = new ThreadPoolStoppedError();
    for (let job = this.#shift(); job; job = this.#shift()) {
      job.state = FINISHED;
      job.onResult(false, stopped);
    }
    for (const w of this.#idle.splice(0)) this.#retire(w);
    this.#checkStopped();
    return d;
  }

  /** Changes the sizes; extra workers retire as soon as they are idle. */
  adjustPoolsize(minThreads: number = this.#min, maxThreads: number = this.#max): void {
    checkSizes(minThreads, maxThreads);
    this.#min = minThreads;
    this.#max = maxThreads;
    while (this.#live > this.#max && this.#idle.length > 0) this.#retire(this.#idle.shift()!);
    if (this.#state === 'running') {
      while (this.#live < this.#min) this.#makeIdle(this.#spawn());
      this.#dispatch();
    }
  }

  /** Runs a task, ignoring its result; a failure is logged. */
  callInThread<F extends AnyFunction>(task: TaskLike<F>, ...args: MovableArgs<Parameters<F>>): TaskHandle {
    return this.callInThreadWithCallback(
      (ok, result) => {
        if (!ok) log.failure('task run with callInThread failed', new Failure(result), { task: typeof task === 'string' ? task : task.key });
      },
      task,
      ...args,
    );
  }

  /**
   * Runs a task; `onResult(true, result)` or `onResult(false, error)` is called on the main loop when it
   * is done. Errors that happen before the task is queued (unknown task, stopped pool, full queue,
   * arguments that cannot be cloned) are reported the same way, at once.
   */
  callInThreadWithCallback<F extends AnyFunction>(
    onResult: (success: boolean, result: TaskResult<F> | Error) => void,
    task: TaskLike<F>,
    ...args: MovableArgs<Parameters<F>>
  ): TaskHandle {
    const list = takeTransfers(args);
    let resolved: Task;
    try {
      resolved = resolveTask(task);
    } catch (e) {
      return this.#rejected(onResult as TaskCallback, e);
    }
    const job = new Job(this, resolved, args, list, onResult as TaskCallback);
    if (this.#state !== 'running') return this.#rejected(job.onResult, new ThreadPoolStoppedError('thread pool is stopped'));
    if (this.#queued >= this.#maxQueue && this.#idle.length === 0 && this.#live >= this.#max) {
      return this.#rejected(job.onResult, new QueueFullError(this.#maxQueue));
    }
    this.#queue.push(job);
    this.#queued++;
    this.#dispatch();
    return job;
  }

  /** Runs a task and returns a Deferred of its result, fired directly from the worker's message. */
  defer<F extends AnyFunction>(task: TaskLike<F>, ...args: MovableArgs<Parameters<F>>): Deferred<TaskResult<F>> {
    const d = new Deferred<TaskResult<F>>(() => handle.cancel());
    const handle = this.callInThreadWithCallback<F>(
      (ok, result) => {
        if (d.called) return;
        if (ok) d.callback(result as TaskResult<F>);
        else d.errback(result);
      },
      task,
      ...args,
    );
    return d;
  }

  #rejected(onResult: TaskCallback, error: unknown): TaskHandle {
    onResult(false, error);
    return { cancel() {} };
  }

  #shift(): Job | undefined {
    while (this.#head < this.#queue.length) {
      const job = this.#queue[this.#head++];
      if (job.state === QUEUED) {
        this.#queued--;
        this.#compact();
        return job;
      }
    }
    this.#compact();
    return undefined;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Workers not on their way out. */
  get #live(): number {
    return this.#workers.size - this.#retiring.size;
  }

  #dispatch(): void {
    while (this.#queued > 0) {
      let worker = this.#idle.pop();
      if (worker) {
        this.#retireCalls.get(worker)?.cancel();
        this.#retireCalls.delete(worker);
      } else if (this.#live < this.#max) {
        try {
          worker = this.#spawn();
        } catch (e) {
          // Bad worker options (e.g. an execArgv Node refuses): the next task would fail the same way.
          const job = this.#shift()!;
          job.state = FINISHED;
          job.onResult(false, e);
          continue;
        }
      } else {
        return;
      }
      this.#runOn(worker, this.#shift()!);
    }
  }

  #runOn(worker: WorkerThread, job: Job): void {
    job.state = RUNNING;
    this.#running.set(worker, job);
    try {
      worker.run(job.task, job.args, job.list, (ok, value) => this.#finished(worker, job, ok, value));
    } catch (e) {
      this.#running.delete(worker);
      job.state = FINISHED;
      this.#makeIdle(worker);
      job.onResult(false, e);
    }
  }

  #finished(worker: WorkerThread, job: Job, ok: boolean, value: unknown): void {
    this.#running.delete(worker);
    const reported = job.state === FINISHED;
    job.state = FINISHED;
    if (!worker.exited) this.#makeIdle(worker);
    if (!reported) job.onResult(ok, value);
    this.#dispatch();
  }

  #cancel(job: Job): void {
    if (job.state === QUEUED) {
      job.state = FINISHED;
      this.#queued--;
      job.onResult(false, new CancelledError('task was cancelled before it ran'));
    } else if (job.state === RUNNING) {
      job.state = FINISHED;
      job.onResult(false, new CancelledError('task was cancelled while running; its result is dropped'));
      if (this.#terminateOnCancel) {
        const worker = [...this.#running].find(([, running]) => running === job)?.[0];
        if (worker) {
          this.#retiring.add(worker);
          void worker.terminate();
          this.#dispatch();
        }
      }
    }
  }

  #spawn(): WorkerThread {
    const name = `${this.#workerOptions.name ?? 'torsion-worker'}-${++this.#spawned}`;
    const worker = new WorkerThread({ ...this.#workerOptions, name });
    worker.onExit = (w, exit) => this.#onExit(w, exit);
    this.#workers.add(worker);
    return worker;
  }

  #makeIdle(worker: WorkerThread): void {
    if (this.#retiring.has(worker)) return;
    if (this.#state !== 'running' || this.#live > this.#max) {
      this.#retire(worker);
      return;
    }
    this.#idle.push(worker);
    if (this.#live > this.#min) {
      this.#retireCalls.set(
        worker,
        this.#clock.callLater(this.#idleTimeout, () => {
          this.#retireCalls.delete(worker);
          const at = this.#idle.indexOf(worker);
          if (at >= 0 && this.#live > this.#min) {
            this.#idle.splice(at, 1);
            this.#retire(worker);
          }
        }),
      );
    }
  }

  #retire(worker: WorkerThread): void {
    this.#retireCalls.get(worker)?.cancel();
    this.#retireCalls.delete(worker);
    this.#retiring.add(worker);
    void worker.terminate();
  }

  #onExit(worker: WorkerThread, exit: WorkerExit): void {
    this.#workers.delete(worker);
    this.#retiring.delete(worker);
    this.#running.delete(worker);
    this.#retireCalls.get(worker)?.cancel();
    this.#retireCalls.delete(worker);
    const at = this.#idle.indexOf(worker);
    if (at >= 0) this.#idle.splice(at, 1);
    if (exit.crashed) {
      log.warn('worker thread {threadId} exited with code {exitCode}', { threadId: worker.threadId, exitCode: exit.exitCode, error: exit.error?.message });
      if (exit.beforeReady && ![...this.#workers].some((w) => w.ready)) {
        // The entry script itself is broken: respawning would fail the same way, forever.
        const error = new WorkerCrashedError(`worker thread failed to start${exit.error ? `: ${exit.error.message}` : ''}`, exit.exitCode, { cause: exit.error });
        for (let job = this.#shift(); job; job = this.#shift()) {
          job.state = FINISHED;
          job.onResult(false, error);
        }
      }
    }
    if (this.#state === 'running') {
      this.#dispatch();
      while (this.#live < this.#min && !(exit.crashed && exit.beforeReady)) this.#makeIdle(this.#spawn());
    }
    this.#checkStopped();
  }

  #checkStopped(): void {
    if (this.#state === 'running' || this.#workers.size > 0) return;
    this.#state = 'stopped';
    for (const d of this.#stopWaiters.splice(0)) d.callback(undefined);
  }
}

function checkSizes(min: number, max: number): void {
  if (!Number.isInteger(min) || min < 0) throw new RangeError(`minThreads must be an integer >= 0, not ${min}`);
  if (!Number.isInteger(max) || max < 1 || max < min) throw new RangeError(`maxThreads must be an integer >= max(1, minThreads), not ${max}`);
}
