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
 * One worker thread running Torsion's task loop. Not a pool: `run` while busy throws.
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
  #job: RunningJob | undefined;
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
    worker.on('messageerror', (e: Error) => this.#finish(false, e));
    worker.on('exit', (code: number) => this.#onExit(code));
    worker.unref();
  }

  /** The worker's thread id. */
  get threadId(): number {
    return this.#threadId;
  }

  /** True while a task runs. */
  get busy(): boolean {
    return this.#job !== undefined;
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
   * loop. `transferList` names objects to move rather than copy. Throws when busy or exited, and when the
   * arguments cannot be cloned (nothing is sent then).
   */
  run(task: Task, args: unknown[], transferList: readonly TransferListItem[] | undefined, onResult: TaskCallback): void {
    if (this.#job) throw new Error('WorkerThread is busy');
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
    this.#job = { id: message.id, task, onResult };
    hold();
  }

  /** Stops the worker at once; a running task fails with `WorkerCrashedError`. Resolves on exit. */
  async terminate(): Promise<void> {
    if (this.#exited) return;
    this.#terminating = true;
    await this.#worker.terminate();
  }

  #onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'done':
        if (this.#job?.id === m.id) this.#finish(true, m.value);
        break;
      case 'fail':
        if (this.#job?.id === m.id) this.#finish(false, deserializeError(m.error));
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

  #finish(ok: boolean, value: unknown): void {
    const job = this.#job;
    if (!job) return;
    this.#job = undefined;
    release();
    job.onResult(ok, value);
  }

  #onExit(exitCode: number): void {
    this.#exited = true;
    this.#syncPort.close();
    const crashed = !this.#terminating;
    const job = this.#job;
    if (job) {
      const what = `task ${job.task.name} (${job.task.module})`;
      const message = crashed
        ? `worker thread ${this.#threadId} exited with code ${exitCode} while running ${what}` +
          (this.#lastError ? `: ${this.#lastError.message}` : '')
        : `worker thread was terminated while running ${what}`;
      this.#finish(false, new WorkerCrashedError(message, exitCode, { cause: this.#lastError }));
    }
    this.onExit?.(this, { exitCode, crashed, beforeReady: !this.#ready, error: this.#lastError });
  }
}
