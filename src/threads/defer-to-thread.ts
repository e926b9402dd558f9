/**
 * `deferToThread` and `deferToThreadPool`: a worker as the source of a Deferred (Twisted's
 * `twisted.internet.threads`), and the process-wide default pool behind `reactor.getThreadPool()`.
 * @module
 */
import { Deferred } from '../defer/index.js';
import type { AnyFunction, IThreadsReactor, MovableArgs, Task, TaskLike, TaskResult } from './interfaces.js';
import { task as makeTask } from './task.js';
import { ThreadPool } from './thread-pool.js';

let defaultPool: ThreadPool | undefined;
let suggestedSize: number | undefined;

/** How the Node reactor reaches the default pool without importing this folder (see {@link DEFAULT_POOL_HOOK}). */
export interface DefaultPoolHook {
  get(): ThreadPool;
  stop(): Deferred<void>;
  suggest(size: number): void;
}

/**
 * The global slot where this module, once loaded, leaves {@link DefaultPoolHook}: `torsion/internet` must
 * load no thread code (its users mostly never start a worker), so its reactor finds the pool here instead
 * of importing it.
 */
export const DEFAULT_POOL_HOOK = Symbol.for('torsion.threads.defaultPool');

/** The pool `deferToThread` uses, created on first use (`maxThreads`: the CPU count, or as suggested). */
export function getDefaultThreadPool(): ThreadPool {
  defaultPool ??= new ThreadPool({ name: 'torsion-default', ...(suggestedSize === undefined ? {} : { maxThreads: suggestedSize }) });
  return defaultPool;
}

/** Sets the default pool's maximum size (Twisted's `reactor.suggestThreadPoolSize`). */
export function suggestThreadPoolSize(size: number): void {
  suggestedSize = size;
  defaultPool?.adjustPoolsize(Math.min(defaultPool.min, size), size);
}

/**
 * Stops the default pool if it was ever created (the reactor does this at shutdown); the next
 * `deferToThread` makes a fresh one.
 */
export function stopDefaultThreadPool(): Deferred<void> {
  const pool = defaultPool;
  defaultPool = undefined;
  return pool ? pool.stop() : Deferred.succeed<void>(undefined);
}

/**
 * Runs a task on the default pool and returns a Deferred of its result, which fires on the main loop.
 * A task is a {@link Task} from `task()`, a module URL followed by an export name, or a name given to
 * `registerTask`. Cancelling the Deferred drops a queued task or the result of a running one.
 *
 * @example
 * const hex = await deferToThread(new URL('./hash.js', import.meta.url), 'digest', bytes);
 */
export function deferToThread<F extends AnyFunction>(task: Task<F>, ...args: MovableArgs<Parameters<F>>): Deferred<TaskResult<F>>;
export function deferToThread<R = unknown>(module: URL, exportName: string, ...args: unknown[]): Deferred<R>;
export function deferToThread<R = unknown>(name: string, ...args: unknown[]): Deferred<R>;
export function deferToThread(first: TaskLike | URL, ...rest: unknown[]): Deferred<unknown> {
  const [t, args] = splitTask(first, rest);
  return getDefaultThreadPool().defer(t, ...args);
}

/**
 * Runs a task on `pool` and returns a Deferred of its result, fired through `reactor.callFromThread`
 * so that callbacks run in the reactor's turn, as Twisted does.
 *
 * @example
 * const pool = new ThreadPool({ maxThreads: 2 });
 * const rows = await deferToThreadPool(reactor, pool, parse, transfer(bytes));
 */
export function deferToThreadPool<F extends AnyFunction>(reactor: IThreadsReactor, pool: ThreadPool, task: Task<F>, ...args: MovableArgs<Parameters<F>>): Deferred<TaskResult<F>>;
export function deferToThreadPool<R = unknown>(reactor: IThreadsReactor, pool: ThreadPool, module: URL, exportName: string, ...args: unknown[]): Deferred<R>;
export function deferToThreadPool<R = unknown>(reactor: IThreadsReactor, pool: ThreadPool, name: string, ...args: unknown[]): Deferred<R>;
export function deferToThreadPool(reactor: IThreadsReactor, pool: ThreadPool, first: TaskLike | URL, ...rest: unknown[]): Deferred<unknown> {
  const [t, args] = splitTask(first, rest);
  const d = new Deferred<unknown>(() => handle.cancel());
  const fire = (ok: boolean, result: unknown): void => {
    if (d.called) return;
    if (ok) d.callback(result);
    else d.errback(result);
  };
  const handle = pool.callInThreadWithCallback((ok, result) => reactor.callFromThread(fire, ok, result), t, ...args);
  return d;
}

function splitTask(first: TaskLike | URL, rest: unknown[]): [TaskLike, unknown[]] {
  if (first instanceof URL) {
    const [name, ...args] = rest;
    if (typeof name !== 'string') throw new TypeError('a task module URL must be followed by the name of its exported function');
    return [makeTask(first, name), args];
  }
  return [first, rest];
}

(globalThis as Record<symbol, unknown>)[DEFAULT_POOL_HOOK] = {
  get: getDefaultThreadPool,
  stop: stopDefaultThreadPool,
  suggest: suggestThreadPoolSize,
} satisfies DefaultPoolHook;
