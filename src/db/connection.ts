/**
 * The main thread's handle on one database connection, which lives in a worker of its own. Calls are
 * sent at once and run one after another in the worker, in the order made.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { WorkerThread, task, type Task, type WorkerThreadOptions } from '../threads/index.js';
import type * as Tasks from './connection-tasks.js';
import type { DriverName, ExecuteResult, Params, PgOptions, Row, RunResult, SqliteOptions } from './interfaces.js';

const MODULE = new URL('./connection-tasks.js', import.meta.url);

type TaskOf<K extends keyof typeof Tasks> = Task<(typeof Tasks)[K]>;
const TASKS = {
  open: task(MODULE, 'open') as TaskOf<'open'>,
  query: task(MODULE, 'query') as TaskOf<'query'>,
  run: task(MODULE, 'run') as TaskOf<'run'>,
  execute: task(MODULE, 'execute') as TaskOf<'execute'>,
  executeMany: task(MODULE, 'executeMany') as TaskOf<'executeMany'>,
  exec: task(MODULE, 'exec') as TaskOf<'exec'>,
  close: task(MODULE, 'close') as TaskOf<'close'>,
};

/** One connection in its worker. */
export class Connection {
  readonly #thread: WorkerThread;
  /** Called once if the worker exits. */
  onExit: (() => void) | undefined;

  constructor(workerOptions: WorkerThreadOptions = {}) {
    this.#thread = new WorkerThread({ name: 'torsion-db', ...workerOptions });
    this.#thread.onExit = () => this.onExit?.();
  }

  /** True once the worker has exited (crashed or closed): the connection is unusable. */
  get broken(): boolean {
    return this.#thread.exited;
  }

  /** Calls sent and not answered yet. */
  get pending(): number {
    return this.#thread.pending;
  }

  /** The worker's thread id. */
  get threadId(): number {
    return this.#thread.threadId;
  }

  open(driver: DriverName, options: SqliteOptions | PgOptions, openFun: Task | undefined): Deferred<void> {
    return this.#call(TASKS.open, [driver, options, openFun && { module: openFun.module, name: openFun.name }]);
  }

  query(sql: string, params?: Params): Deferred<Row[]> {
    return this.#call(TASKS.query, [sql, params]);
  }

  run(sql: string, params?: Params): Deferred<RunResult> {
    return this.#call(TASKS.run, [sql, params]);
  }

  execute(sql: string, params?: Params): Deferred<ExecuteResult> {
    return this.#call(TASKS.execute, [sql, params]);
  }

  executeMany(sql: string, paramSets: readonly Params[]): Deferred<RunResult> {
    return this.#call(TASKS.executeMany, [sql, paramSets]);
  }

  exec(sql: string): Deferred<void> {
    return this.#call(TASKS.exec, [sql]);
  }

  /** Closes the database connection, then ends the worker. Never fails: a broken worker just ends. */
  close(): Deferred<void> {
    if (this.broken) return Deferred.succeed<void>(undefined);
    return this.#call(TASKS.close, []).addBoth(() => Deferred.fromPromise(this.#thread.terminate()));
  }

  /** Ends the worker at once; a running statement fails. */
  terminate(): Promise<void> {
    return this.#thread.terminate();
  }

  #call<R>(t: Task, args: unknown[]): Deferred<R> {
    const d = new Deferred<R>();
    try {
      this.#thread.run(t, args, undefined, (ok, value) => {
        if (ok) d.callback(value as R);
        else d.errback(value);
      });
    } catch (e) {
      d.errback(e);
    }
    return d;
  }
}
