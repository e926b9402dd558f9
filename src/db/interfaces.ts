/**
 * The types of `torsion/db`. Type-only.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { Task, WorkerThreadOptions } from '../threads/index.js';
import type { IReactorTime } from '../time/interfaces.js';

/** A row as an object keyed by column name. */
export type Row = Record<string, unknown>;

/**
 * Statement parameters: positional (`?` for SQLite, `$1` for PostgreSQL) as an array, or named
 * (`:name`, `@name`, `$name`; SQLite only) as an object.
 */
export type Params = readonly unknown[] | Record<string, unknown>;

/** What a statement that writes reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** SQLite's rowid of the last inserted row; null on PostgreSQL (use `RETURNING id`). */
  lastInsertRowid: number | bigint | null;
}

/** What `txn.execute` reports: the rows (if the statement returns any) and the change count. */
export interface ExecuteResult extends RunResult {
  rows: Row[];
}

/** Which database: the embedded default, or PostgreSQL through the `pg` npm package. */
export type DriverName = 'sqlite' | 'pg';

/** Where the SQLite database is. */
export interface SqliteOptions {
  /** A file path, or `:memory:` (one connection only, since each connection would have its own database). */
  filename: string;
  /** Open read-only. */
  readonly?: boolean;
  /** Seconds a connection waits for a lock held by another process before failing (5 by default). */
  busyTimeout?: number;
  /** Use write-ahead logging for files (true by default): readers do not block the writer. */
  wal?: boolean;
}

/** Where the PostgreSQL server is: anything `pg.Client` accepts. */
export interface PgOptions {
  /** e.g. `postgres://user:secret@127.0.0.1:5432/app`. */
  connectionString?: string;
  [option: string]: unknown;
}

/** Options shared by every driver. */
export interface PoolOptions {
  /** Connections kept open when idle (1 by default). */
  min?: number;
  /** Most connections at once (4 by default; always 1 for SQLite `:memory:`). */
  max?: number;
  /** Seconds an idle connection above `min` stays open (60 by default). */
  idleTimeout?: number;
  /**
   * A task run in each connection's worker once it is open, with the driver's own connection object
   * (a `better-sqlite3` Database or a `pg` Client): for pragmas, SQL functions, session settings.
   */
  openFun?: Task<(connection: any) => unknown>;
  /** How connection workers are started. */
  worker?: WorkerThreadOptions;
  /** Where idle retirement is scheduled: the environment's reactor by default, or a test `Clock`. */
  clock?: IReactorTime;
}

/** `new ConnectionPool('sqlite', ...)` options. */
export type SqlitePoolOptions = SqliteOptions & PoolOptions;

/** `new ConnectionPool('pg', ...)` options. */
export type PgPoolOptions = PgOptions & PoolOptions;

/** A transaction on one connection, handed to `runInteraction`'s function. */
export interface ITransaction {
  /** Runs one statement in this transaction; rows if it returns any, and the change count. */
  execute(sql: string, params?: Params): Deferred<ExecuteResult>;
  /** Runs one statement once per parameter set, in one round trip. */
  executeMany(sql: string, paramSets: readonly Params[]): Deferred<RunResult>;
  /** Runs a statement and gives its rows. */
  query<R = Row>(sql: string, params?: Params): Deferred<R[]>;
}
