/**
 * `WorkerThread`: the main thread's handle on one worker, which runs tasks one at a time. `ThreadPool`
 * schedules across many of them; `torsion/db` keeps one per connection. A worker keeps the process
 * alive only while it runs a task.
 * @module
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import { deserializeError } from './error-transport.js';
import { WorkerCrashedError } from './errors.js';
import type { Task, TaskCallback, WorkerThreadOptions } from './interfaces.js';
import { handleBlockingCall, handleCall } from './main-calls.js';
import type { FromWorker, RunMessage } from './messages.js';
import { hold, release } from './keep-alive.js';
import { spawnWorker } from './spawn.js';

interface RunningJob {
  id: number;
  task: Task;
  onResult: TaskCallback;
}

/** Why a worker went away: `crashed` unless `terminate()` was asked for. */
export interface WorkerExit {
  exitCode: number;
  /** False for an exit that was asked for with `terminate()`. */
  crashed: boolean;
  /** True when the worker died before its task loop started (a broken entry script or loader). */
  beforeReady: boolean;
  /** The uncaught error that killed it, if any. */
  error: Error | undefined;
}

/**
 * One worker thread running Torsion's task loop. Not a pool: tasks given while it is busy are queued
 * in the worker and run one after another, in order (the pool gives a worker one task at a time; a
 * database connection pipelines its statements).
 *
 * @example
 * const w = new WorkerThread();
 * w.run(task(new URL('./hash.js', import.meta.url), 'digest'), [bytes], undefined, (ok, r) => console.log(ok, r));
 */
export class WorkerThread {
  readonly #worker: Worker;
  readonly #threadId: number;
  readonly #syncPort;
  readonly #state;
  /** Tasks sent and not answered yet, oldest first. */
  readonly #jobs = new Map<number, RunningJob>();
  #nextId = 1;
  readonly #keys = new Map<string, number>();
  #ready = false;
  #exited = false;
  #terminating = false;
  #lastError: Error | undefined;
  /** Called once when the worker has exited, after any running task was failed. */
  onExit: ((thread: WorkerThread, exit: WorkerExit) => void) | undefined;

  constructor(options: WorkerThreadOptions = {}) {
    const { worker, syncPort, state } = spawnWorker(options);
    this.#worker = worker;
    this.#threadId = worker.threadId;
    this.#syncPort = syncPort;
    this.#state = state;
    worker.on('message', (m: FromWorker) => this.#onMessage(m));
    worker.on('error', (e: Error) => {
      this.#lastError = e;
    });
    worker.on('messageerror', (e: Error) => {
      // The worker answers in order, so an answer that could not be read belongs to the oldest task.
      const oldest = this.#jobs.keys().next();
      if (!oldest.done) this.#finish(oldest.value, false, e);
    });
    worker.on('exit', (code: number) => this.#onExit(code));
    worker.unref();
  }

  /** The worker's thread id. */
  get threadId(): number {
    return this.#threadId;
  }

  /** True while a task runs or waits in the worker. */
  get busy(): boolean {
    return this.#jobs.size > 0;
  }

  /** Tasks sent to the worker and not answered yet. */
  get pending(): number {
    return this.#jobs.size;
  }

  /** True once the worker's task loop has started. */
  get ready(): boolean {
    return this.#ready;
  }

  /** True once the worker has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /**
   * Runs `task(...args)` in the worker; `onResult` gets `(true, result)` or `(false, error)` on the main
   * loop. `transferList` names objects to move rather than copy. A task given while another runs waits
   * for it, in the worker. Throws when the worker has exited, and when the arguments cannot be cloned
   * (nothing is sent then).
   */
  run(task: Task, args: unknown[], transferList: readonly TransferListItem[] | undefined, onResult: TaskCallback): void {
    if (this.#exited) throw new WorkerCrashedError('worker thread has exited');
    let key = this.#keys.get(task.key);
    const message: RunMessage = { t: 'run', id: this.#nextId++, key: 0, args };
    if (key === undefined) {
      key = this.#keys.size + 1;
      this.#keys.set(task.key, key);
      message.task = { module: task.module, name: task.name };
    }
    message.key = key;
    try {
      this.#worker.postMessage(message, transferList);
    } catch (e) {
      if (message.task) this.#keys.delete(task.key);
      throw e;
    }
    this.#jobs.set(message.id, { id: message.id, task, onResult });
    hold();
  }

  /** Stops the worker at once; running and waiting tasks fail with `WorkerCrashedError`. Resolves on exit. */
  async terminate(): Promise<void> {
    if (this.#exited) return;
    this.#terminating = true;
    await this.#worker.terminate();
  }

  #onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'done':
        this.#finish(m.id, true, m.value);
        break;
      case 'fail':
        if (this.#jobs.has(m.id)) this.#finish(m.id, false, deserializeError(m.error));
        break;
      case 'call':
        handleCall(m.target, m.args, this.threadId);
        break;
      case 'block':
        handleBlockingCall(m.target, m.args, this.#syncPort, this.#state);
        break;
      case 'ready':
        this.#ready = true;
        break;
    }
  }

  #finish(id: number, ok: boolean, value: unknown): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#jobs.delete(id);
    release();
    job.onResult(ok, value);
  }

  #onExit(exitCode: number): void {
    this.#exited = true;
    this.#syncPort.close();
    const crashed = !this.#terminating;
    for (const job of [...this.#jobs.values()]) {
      const what = `task ${job.task.name} (${job.task.module})`;
      const message = crashed
        ? `worker thread ${this.#threadId} exited with code ${exitCode} before finishing ${what}` +
          (this.#lastError ? `: ${this.#lastError.message}` : '')
        : `worker thread was terminated before finishing ${what}`;
      this.#finish(job.id, false, new WorkerCrashedError(message, exitCode, { cause: this.#lastError }));
    }
    this.onExit?.(this, { exitCode, crashed, beforeReady: !this.#ready, error: this.#lastError });
  }
}
