/**
 * What a task running in a worker uses to reach the main loop: `callFromThread` (fire and forget) and
 * `blockingCallFromThread` (waits for the answer).
 * @module
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { NotInWorkerError } from './errors.js';
import type { AnyFunction, Task } from './interfaces.js';
import { runOnMain } from './main-calls.js';
import { WORKER_HOOKS, type MainTarget, type WorkerHooks } from './messages.js';
import { takeTransfers } from './transfer.js';

const log = new Logger({ namespace: 'torsion.threads' });

function hooks(): WorkerHooks | undefined {
  return (globalThis as Record<symbol, WorkerHooks | undefined>)[WORKER_HOOKS];
}

function target(t: string | Task): MainTarget {
  return typeof t === 'string' ? t : { module: t.module, name: t.name, key: t.key };
}

/** True inside a worker started by a Torsion `ThreadPool` (or `WorkerThread`). */
export function isWorkerThread(): boolean {
  return !isMainThread && (workerData as { torsion?: unknown } | null)?.torsion === true && hooks() !== undefined;
}

/**
 * Runs a function on the main loop without waiting: `fn` is a name given to `exposeToThreads` on the
 * main thread, or a task (imported and run on the main thread). Arguments are cloned (or moved, when
 * marked with `transfer()`). A failure on the main thread is logged there. Called on the main thread
 * itself, it runs `fn` on a later turn.
 *
 * @example
 * // in a task:
 * callFromThread('progress', 50);
 */
export function callFromThread<F extends AnyFunction = AnyFunction>(fn: string | Task<F>, ...args: unknown[]): void {
  const h = hooks();
  if (h) {
    h.call(target(fn), args);
    return;
  }
  takeTransfers(args);
  setImmediate(() => {
    runOnMain(target(fn), args).addErrback((f: Failure) => log.failure('callFromThread({target}) failed', f, { target: typeof fn === 'string' ? fn : fn.key }));
  });
}

/**
 * Runs a function on the main loop and blocks this worker until its result is there (through
 * `Atomics.wait`): returns the value, or throws the error, of the Deferred or Promise it returns.
 * Throws {@link NotInWorkerError} on the main thread, where it would wait for itself.
 *
 * @example
 * // in a task:
 * const token = blockingCallFromThread<string>('currentToken');
 */
export function blockingCallFromThread<R = unknown>(fn: string | Task, ...args: unknown[]): R {
  const h = hooks();
  if (!h) throw new NotInWorkerError('blockingCallFromThread called outside a Torsion worker: it would block the main loop forever');
  return h.block(target(fn), args) as R;
}
