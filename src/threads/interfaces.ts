/**
 * The types of `torsion/threads`: tasks, their arguments and results, and the small roles the pool
 * needs from its surroundings (a clock, a reactor). Type-only.
 * @module
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { IReactorTime } from '../time/interfaces.js';

/** Any function a worker can run. */
export type AnyFunction = (...args: any[]) => any;

declare const signature: unique symbol;

/**
 * Names code a worker can load: a module (as an absolute URL) and one of its exports. Functions cannot
 * cross threads, so this is what travels instead. Make one with `task()`.
 */
export interface Task<F extends AnyFunction = AnyFunction> {
  /** Absolute URL of the module (`file:` or `data:`). */
  readonly module: string;
  /** Name of the exported function. */
  readonly name: string;
  /** `module#name`: identifies the task in a worker's cache. */
  readonly key: string;
  /** Carries the function's signature for type checking only; never set. */
  readonly [signature]?: F;
}

/** A value marked to be moved (transferred), not copied, to the other thread. See `transfer()`. */
export interface Transfer<T> {
  readonly value: T;
  readonly list: readonly TransferListItem[];
}

/** A task argument: the value itself, or the value marked for transfer. */
export type Movable<T> = T | Transfer<T>;

/** The arguments a task takes, each of which may be marked for transfer. */
export type MovableArgs<P extends unknown[]> = { [K in keyof P]: Movable<P[K]> };

/** What calling task `F` in a worker gives back on the main thread. */
export type TaskResult<F extends AnyFunction> = Awaited<ReturnType<F>> extends Transfer<infer U> ? U : Awaited<ReturnType<F>>;

/** A task: a {@link Task} handle, or the name it was registered under with `registerTask`. */
export type TaskLike<F extends AnyFunction = AnyFunction> = Task<F> | string;

/**
 * The part of a reactor that `deferToThreadPool` needs: results are handed to the reactor's loop
 * through `callFromThread`, as Twisted does.
 */
export interface IThreadsReactor {
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/** How a worker thread is started. */
export interface WorkerThreadOptions {
  /** Shown in debuggers and in error messages (`torsion-worker` by default). */
  name?: string;
  /** Node options for the worker; defaults to the main thread's `process.execArgv`. */
  execArgv?: string[];
  /** V8 heap limits for the worker. */
  resourceLimits?: ResourceLimits;
  /**
   * Whether workers load TypeScript (through `tsx`). Defaults to true when Torsion itself runs from its
   * `.ts` sources or the main thread was started under tsx.
   */
  typescript?: boolean;
}

/** Options of `ThreadPool`. */
export interface ThreadPoolOptions extends WorkerThreadOptions {
  /** Workers kept alive when idle (0 by default). */
  minThreads?: number;
  /** Most workers at once (the number of CPUs by default). */
  maxThreads?: number;
  /** Seconds an idle worker above `minThreads` lives before it is retired (30 by default). */
  idleTimeout?: number;
  /** Most tasks waiting for a worker; beyond it new tasks fail with `QueueFullError` (unbounded by default). */
  maxQueue?: number;
  /** Terminate (and replace) a worker whose running task is cancelled, instead of letting it finish. */
  terminateOnCancel?: boolean;
  /** Where idle retirement is scheduled: the environment's reactor by default, or a test `Clock`. */
  clock?: IReactorTime;
}

/** A snapshot of a pool's state. */
export interface ThreadPoolStats {
  /** Workers alive (starting, busy or idle). */
  workers: number;
  /** Workers running a task. */
  busy: number;
  /** Workers waiting for a task. */
  idle: number;
  /** Tasks waiting for a worker. */
  queued: number;
}

/** Receives a task's outcome: `(true, result)` or `(false, error)`. */
export type TaskCallback = (success: boolean, result: unknown) => void;
