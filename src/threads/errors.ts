/**
 * The errors of `torsion/threads`, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The pool was stopped: the task was never run (or was submitted after `stop()`). */
export class ThreadPoolStoppedError extends TorsionError {
  override name = 'ThreadPoolStoppedError';
  override readonly code = 'TORSION_THREADS_POOL_STOPPED';
  constructor(message = 'thread pool was stopped before the task ran') {
    super(message);
  }
}

/** More tasks are waiting than the pool's `maxQueue` allows. */
export class QueueFullError extends TorsionError {
  override name = 'QueueFullError';
  override readonly code = 'TORSION_THREADS_QUEUE_FULL';
  constructor(readonly limit: number) {
    super(`thread pool queue is full (${limit} tasks waiting)`);
  }
}

/** The worker running the task exited or crashed before answering. */
export class WorkerCrashedError extends TorsionError {
  override name = 'WorkerCrashedError';
  override readonly code = 'TORSION_THREADS_WORKER_CRASHED';
  constructor(
    message: string,
    /** The worker's exit code, when it exited. */
    readonly exitCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A task name that nobody registered, or a module without the named export. */
export class UnknownTaskError extends TorsionError {
  override name = 'UnknownTaskError';
  override readonly code = 'TORSION_THREADS_UNKNOWN_TASK';
}

/** `blockingCallFromThread` was called on the main thread, where it would wait for itself forever. */
export class NotInWorkerError extends TorsionError {
  override name = 'NotInWorkerError';
  override readonly code = 'TORSION_THREADS_NOT_IN_WORKER';
}

/**
 * An error thrown in a worker whose class does not exist on this side. `name` is the worker's class name
 * and `stack` is the worker's stack.
 */
export class WorkerError extends TorsionError {
  override readonly code: string = 'TORSION_THREADS_WORKER';
  /** The name of the error's class in the worker. */
  readonly remoteName: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.remoteName = name;
  }
}
