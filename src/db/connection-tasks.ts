/**
 * The tasks a connection's worker runs. Each worker holds exactly one connection, kept in this module's
 * state (every worker has its own copy of the module). Errors from the database are rethrown as
 * `DatabaseError`s that name the statement.
 * @module
 */
import { loadTask } from '../threads/task.js';
import type { DriverConnection } from './driver.js';
import { DatabaseError } from './errors.js';
import type { DriverName, ExecuteResult, Params, PgOptions, Row, RunResult, SqliteOptions } from './interfaces.js';

let connection: DriverConnection | undefined;

function current(): DriverConnection {
  if (!connection) throw new Error('connection is not open');
  return connection;
}

/** The longest statement quoted in an error message; longer ones are cut. */
const MAX_QUOTED_SQL = 200;

function quote(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_QUOTED_SQL ? `${flat.slice(0, MAX_QUOTED_SQL)}...` : flat;
}

function wrap(sql: string, e: unknown): Error {
  if (e instanceof DatabaseError) return e;
  const error = e as { message?: string; code?: unknown };
  return new DatabaseError(`${error.message ?? String(e)} (in statement: ${quote(sql)})`, {
    code: typeof error.code === 'string' ? error.code : undefined,
    sql,
    cause: e,
  });
}

/** Runs `fn`, rethrowing its error as a DatabaseError; stays synchronous for a synchronous driver. */
function guarded<T>(sql: string, fn: () => T | Promise<T>): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (e) {
    throw wrap(sql, e);
  }
  if (result instanceof Promise) {
    return result.catch((e: unknown) => {
      throw wrap(sql, e);
    });
  }
  return result;
}

/** Opens this worker's connection and runs `openFun` (a task) on the driver's own connection object. */
export async function open(driver: DriverName, options: SqliteOptions | PgOptions, openFun?: { module: string; name: string }): Promise<void> {
  if (connection) throw new Error('connection is already open');
  const init = openFun && (await loadTask(openFun));
  if (driver === 'sqlite') {
    const { openSqlite } = await import('./sqlite-driver.js');
    const db = await openSqlite(options as SqliteOptions);
    try {
      await init?.(db.native);
    } catch (e) {
      db.close();
      throw e;
    }
    connection = db;
  } else if (driver === 'pg') {
    const { openPg } = await import('./pg-driver.js');
    // Run on every new session, so a reconnected one gets the same settings.
    connection = await openPg(options as PgOptions, init);
  } else {
    throw new TypeError(`unknown database driver ${JSON.stringify(driver)}: use 'sqlite' or 'pg'`);
  }
}

export function query(sql: string, params?: Params): Row[] | Promise<Row[]> {
  return guarded(sql, () => current().query(sql, params));
}

export function run(sql: string, params?: Params): RunResult | Promise<RunResult> {
  return guarded(sql, () => current().run(sql, params));
}

export function execute(sql: string, params?: Params): ExecuteResult | Promise<ExecuteResult> {
  return guarded(sql, () => current().execute(sql, params));
}

export function executeMany(sql: string, paramSets: readonly Params[]): RunResult | Promise<RunResult> {
  return guarded(sql, () => current().executeMany(sql, paramSets));
}

export function exec(sql: string): void | Promise<void> {
  return guarded(sql, () => current().exec(sql));
}

export async function close(): Promise<void> {
  const c = connection;
  connection = undefined;
  await c?.close();
}
