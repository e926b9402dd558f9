/**
 * What each driver provides. The connection side runs inside a connection's worker; the traits are read
 * by the pool on the main thread.
 * @module
 */
import type { ExecuteResult, Params, Row, RunResult } from './interfaces.js';

/** One open database connection, inside its worker. May answer synchronously or with a Promise. */
export interface DriverConnection {
  /** The driver's own object (a `better-sqlite3` Database, a `pg` Client), handed to `openFun`. */
  readonly native: unknown;
  query(sql: string, params: Params | undefined): Row[] | Promise<Row[]>;
  run(sql: string, params: Params | undefined): RunResult | Promise<RunResult>;
  execute(sql: string, params: Params | undefined): ExecuteResult | Promise<ExecuteResult>;
  executeMany(sql: string, paramSets: readonly Params[]): RunResult | Promise<RunResult>;
  /** Runs SQL with no parameters and no result (transaction control, schema scripts). */
  exec(sql: string): void | Promise<void>;
  close(): void | Promise<void>;
}

/** How the pool treats a driver. */
export interface DriverTraits {
  /** Writes must be serialized by the pool (SQLite has one writer per database). */
  singleWriter: boolean;
  /** Starts a transaction. */
  begin: string;
}

export const DRIVER_TRAITS: Record<string, DriverTraits> = {
  // IMMEDIATE takes the write lock at BEGIN, so a transaction cannot fail later when upgrading to a writer.
  sqlite: { singleWriter: true, begin: 'BEGIN IMMEDIATE' },
  pg: { singleWriter: false, begin: 'BEGIN' },
};
