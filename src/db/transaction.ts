/**
 * `Transaction`: what `runInteraction`'s function gets. Every statement runs on the one connection
 * the interaction holds, inside its transaction.
 * @module
 */
import { CancelledError, Deferred } from '../defer/index.js';
import type { Connection } from './connection.js';
import { TransactionClosedError } from './errors.js';
import type { ExecuteResult, ITransaction, Params, Row, RunResult } from './interfaces.js';

/**
 * A transaction in progress. It is committed when the interaction's function resolves and rolled back
 * when it throws; statements run after that fail with `TransactionClosedError`.
 *
 * @example
 * await pool.runInteraction(async (txn) => {
 *   const [{ balance }] = await txn.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = ?', [1]);
 *   await txn.execute('UPDATE accounts SET balance = ? WHERE id = ?', [balance - 10, 1]);
 * });
 */
export class Transaction implements ITransaction {
  readonly #connection: Connection;
  #closed: Error | undefined;
  /** Rows changed by the last `execute`, as a DB-API cursor's `rowcount`. */
  rowcount = -1;
  /** Row id of the last insert by `execute` (SQLite), as a DB-API cursor's `lastrowid`. */
  lastrowid: number | bigint | null = null;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** Runs one statement; gives its rows (if any) and change count, also kept in `rowcount`/`lastrowid`. */
  execute(sql: string, params?: Params): Deferred<ExecuteResult> {
    return this.#guard(() => this.#connection.execute(sql, params)).addCallback((r) => {
      this.rowcount = r.changes;
      this.lastrowid = r.lastInsertRowid;
      return r;
    });
  }

  /** Runs one statement once per parameter set, in one round trip to the connection's worker. */
  executeMany(sql: string, paramSets: readonly Params[]): Deferred<RunResult> {
    return this.#guard(() => this.#connection.executeMany(sql, paramSets));
  }

  /** Runs a statement and gives its rows. */
  query<R = Row>(sql: string, params?: Params): Deferred<R[]> {
    return this.#guard(() => this.#connection.query(sql, params)) as Deferred<R[]>;
  }

  /** Ends the transaction's use: later statements fail with `reason`. */
  close(reason: Error): void {
    this.#closed ??= reason;
  }

  /** Fails later statements with `CancelledError` (the interaction was cancelled). */
  cancel(): void {
    this.close(new CancelledError('interaction was cancelled'));
  }

  #guard<T>(fn: () => Deferred<T>): Deferred<T> {
    if (this.#closed) return Deferred.fail<T>(this.#closed);
    return fn();
  }
}

/** The reason statements fail after the interaction has ended. */
export function finishedError(): TransactionClosedError {
  return new TransactionClosedError('the interaction has finished: its transaction was committed or rolled back');
}
