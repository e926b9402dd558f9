/**
 * The errors of `torsion/db`. `DatabaseError` keeps its class across the worker boundary.
 * @module
 */
import { registerErrorClass } from '../threads/index.js';
import { TorsionError } from '../errors/index.js';

/**
 * The database refused a statement. `message` names the statement; `driverCode` is the driver's own code
 * (`SQLITE_CONSTRAINT_UNIQUE`, or PostgreSQL's SQLSTATE such as `23505`).
 */
export class DatabaseError extends TorsionError {
  override name = 'DatabaseError';
  override readonly code = 'TORSION_DB_STATEMENT';
  /** The driver's error code. */
  readonly driverCode: string | undefined;
  /** The statement that failed. */
  readonly sql: string | undefined;

  constructor(message: string, options: { code?: string; sql?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.driverCode = options.code;
    this.sql = options.sql;
  }
}
registerErrorClass(DatabaseError);

/** The pool was closed: the operation never ran (or was asked for after `close()`). */
export class ConnectionPoolClosedError extends TorsionError {
  override name = 'ConnectionPoolClosedError';
  override readonly code = 'TORSION_DB_CONNECTION_POOL_CLOSED';
  constructor(message = 'connection pool is closed') {
    super(message);
  }
}
registerErrorClass(ConnectionPoolClosedError);

/** The driver's npm package is not installed. */
export class DriverNotInstalledError extends TorsionError {
  override name = 'DriverNotInstalledError';
  override readonly code = 'TORSION_DB_DRIVER_NOT_INSTALLED';
  constructor(
    /** The npm package to install. */
    readonly packageName: string,
    options?: { cause?: unknown },
  ) {
    super(`the database driver needs the npm package "${packageName}", which is not installed: npm install ${packageName}`, options);
  }
}
registerErrorClass(DriverNotInstalledError);

/**
 * SQLite cannot be opened on this runtime: `better-sqlite3`'s native addon does not load here (Deno and
 * Bun refuse it) and the runtime has no `node:sqlite` of its own to use instead.
 */
export class SqliteUnavailableError extends TorsionError {
  override name = 'SqliteUnavailableError';
  override readonly code = 'TORSION_DB_SQLITE_UNAVAILABLE';
  constructor(
    /** The runtime and its version (`Bun 1.1.0`). */
    readonly runtime: string,
    /** Why `better-sqlite3` did not load. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SQLite is not available on ${runtime}: better-sqlite3 does not load here (${reason}) and ${runtime} has no node:sqlite (Node 22.5+, Deno 2.9 and Bun 1.4 have it)`, options);
  }
}
registerErrorClass(SqliteUnavailableError);

/** A statement was run on a transaction that has already committed, rolled back or been cancelled. */
export class TransactionClosedError extends TorsionError {
  override name = 'TransactionClosedError';
  override readonly code = 'TORSION_DB_TRANSACTION_CLOSED';
}
registerErrorClass(TransactionClosedError);
