/**
 * `torsion/db`: a database connection pool whose connections live in worker threads, results back as
 * Deferreds on the main loop (Twisted's `twisted.enterprise.adbapi`). SQLite built in, PostgreSQL
 * through the `pg` package (imported only when a PostgreSQL pool connects).
 * @module
 */
export { ConnectionPool, type ConnectionPoolStats } from './connection-pool.js';
export { Transaction } from './transaction.js';
export { DatabaseError, ConnectionPoolClosedError, DriverNotInstalledError, SqliteUnavailableError, TransactionClosedError } from './errors.js';
export { loadPg } from './pg-driver.js';
export type {
  Row,
  Params,
  RunResult,
  ExecuteResult,
  DriverName,
  SqliteOptions,
  PgOptions,
  PoolOptions,
  SqlitePoolOptions,
  PgPoolOptions,
  ITransaction,
} from './interfaces.js';
