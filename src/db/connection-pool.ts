/**
 * `ConnectionPool`: database access off the main loop, results back as Deferreds (Twisted's
 * `twisted.enterprise.adbapi.ConnectionPool`). Each connection lives in a worker of its own.
 * @module
 */
import { CancelledError, Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import type { Task, WorkerThreadOptions } from '../threads/index.js';
import { Connection } from './connection.js';
import { DRIVER_TRAITS, type DriverTraits } from './driver.js';
import { ConnectionPoolClosedError } from './errors.js';
import { FifoLock } from './fifo-lock.js';
import type { DriverName, Params, PgOptions, PgPoolOptions, Row, RunResult, SqliteOptions, SqlitePoolOptions } from './interfaces.js';
import { Transaction, finishedError } from './transaction.js';
import { defaultReactor } from '../time/default-reactor.js';
import type { IReactorTime } from '../time/interfaces.js';

const log = new Logger({ namespace: 'torsion.db' });

/**
 * Most single statements (`runQuery`, `runOperation`) queued at once on one connection when every
 * connection is busy: they are sent ahead so the worker runs them back to back.
 */
const PIPELINE_DEPTH = 16;

/** A caller waiting for a connection: for a transaction of its own (exclusive), or one statement. */
interface Waiter {
  d: Deferred<Connection>;
  exclusive: boolean;
}

/** A snapshot of a pool's state. */
export interface ConnectionPoolStats {
  /** Connections open or opening. */
  connections: number;
  idle: number;
  inUse: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * A pool of database connections, each in its own worker, so queries never block the main loop.
 * SQLite (`better-sqlite3`) is built in; PostgreSQL needs the `pg` npm package. On SQLite the pool lets
 * one writer in at a time (`runOperation` and `runInteraction` queue for it) while `runQuery` reads in
 * parallel on the other connections.
 *
 * @example
 * const pool = new ConnectionPool('sqlite', { filename: 'app.db' });
 * await pool.runOperation('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)');
 * const { lastInsertRowid } = await pool.runOperation('INSERT INTO users (name) VALUES (?)', ['ada']);
 * const rows = await pool.runQuery('SELECT * FROM users WHERE id = ?', [lastInsertRowid]);
 * await pool.close();
 */
export class ConnectionPool {
  /** Which database driver. */
  readonly driver: DriverName;
  readonly #traits: DriverTraits;
  readonly #driverOptions: SqliteOptions | PgOptions;
  readonly #min: number;
  readonly #max: number;
  readonly #idleTimeout: number;
  readonly #openFun: Task | undefined;
  readonly #workerOptions: WorkerThreadOptions | undefined;
  readonly #clock: IReactorTime;
  readonly #writeLock = new FifoLock();
  readonly #all = new Set<Connection>();
  readonly #idle: Connection[] = [];
  readonly #retireCalls = new Map<Connection, { cancel(): void }>();
  readonly #waiters: Waiter[] = [];
  /** Connections lent for single statements, and how many are using each. */
  readonly #shared = new Map<Connection, number>();
  /** Connections to be closed instead of reused (a rollback failed on them). */
  readonly #condemned = new WeakSet<Connection>();
  #inUse = 0;
  #closing = false;
  #closeWaiters: Deferred<void>[] = [];

  constructor(driver: 'sqlite', options: SqlitePoolOptions);
  constructor(driver: 'pg', options: PgPoolOptions);
  constructor(driver: DriverName, options: SqlitePoolOptions | PgPoolOptions) {
    const traits = DRIVER_TRAITS[driver];
    if (!traits) throw new TypeError(`unknown database driver ${JSON.stringify(driver)}: use 'sqlite' or 'pg'`);
    const { min = 1, max = 4, idleTimeout = 60, openFun, worker, clock, ...driverOptions } = options;
    const memory = driver === 'sqlite' && ((driverOptions as SqliteOptions).filename === ':memory:' || (driverOptions as SqliteOptions).filename === '');
    if (driver === 'sqlite' && typeof (driverOptions as SqliteOptions).filename !== 'string') throw new TypeError("a 'sqlite' pool needs { filename }");
    if (!Number.isInteger(min) || min < 0) throw new RangeError(`min must be an integer >= 0, not ${min}`);
    if (!Number.isInteger(max) || max < 1 || max < min) throw new RangeError(`max must be an integer >= max(1, min), not ${max}`);
    this.driver = driver;
    this.#traits = traits;
    this.#driverOptions = driverOptions;
    // Each connection to ':memory:' is a database of its own: one connection, which must never retire.
    this.#min = memory ? 1 : min;
    this.#max = memory ? 1 : max;
    this.#idleTimeout = memory ? Infinity : idleTimeout;
    this.#openFun = openFun;
    this.#workerOptions = worker;
    this.#clock = clock ?? defaultReactor();
  }

  /** Counts of connections and waiting callers. */
  get stats(): ConnectionPoolStats {
    return { connections: this.#all.size, idle: this.#idle.length, inUse: this.#inUse, waiting: this.#waiters.length };
  }

  /** Opens `min` connections now instead of on first use; fires when they are open. */
  start(): Deferred<void> {
    const opened: Promise<void>[] = [];
    while (this.#all.size < this.#min) {
      const d = new Deferred<Connection>();
      this.#openOne(d);
      opened.push(d.addCallback((c) => this.#offer(c)).asPromise());
    }
    return Deferred.fromPromise(Promise.all(opened)).addCallback(() => undefined);
  }

  /**
   * Runs a statement on any free connection and gives its rows.
   *
   * @example
   * const rows = await pool.runQuery<{ name: string }>('SELECT name FROM users WHERE id = ?', [1]);
   */
  runQuery<R = Row>(sql: string, params?: Params): Deferred<R[]> {
    return this.#withConnection((c) => c.query(sql, params)) as Deferred<R[]>;
  }

  /**
   * Runs a statement that writes and gives the change count and last inserted row id.
   *
   * @example
   * const { changes } = await pool.runOperation('DELETE FROM sessions WHERE expires < ?', [now]);
   */
  runOperation(sql: string, params?: Params): Deferred<RunResult> {
    if (!this.#traits.singleWriter) return this.#withConnection((c) => c.run(sql, params));
    const lock = this.#writeLock.acquire();
    return lock.addCallback(() =>
      this.#withConnection((c) => c.run(sql, params)).addBoth((r) => {
        this.#writeLock.release();
        return r;
      }),
    );
  }

  /**
   * Runs `fn(txn, ...args)` in a transaction on one connection: committed when what `fn` returns
   * resolves, rolled back when it throws or rejects. The Deferred gives `fn`'s result. Cancelling it
   * stops waiting for a connection, or makes further statements fail and rolls back.
   *
   * @example
   * const id = await pool.runInteraction(async (txn) => {
   *   const { lastInsertRowid } = await txn.execute('INSERT INTO orders (user) VALUES (?)', [userId]);
   *   await txn.executeMany('INSERT INTO lines (order_id, sku) VALUES (?, ?)', skus.map((s) => [lastInsertRowid, s]));
   *   return lastInsertRowid;
   * });
   */
  runInteraction<T, A extends unknown[] = []>(fn: (txn: Transaction, ...args: A) => T | PromiseLike<T>, ...args: A): Deferred<Awaited<T>> {
    let waitingOn: Deferred<unknown> | undefined;
    let txn: Transaction | undefined;
    let cancelled = false;
    const d = new Deferred<Awaited<T>>(() => {
      cancelled = true;
      waitingOn?.cancel();
      txn?.cancel();
    });
    const checkCancelled = (): void => {
      if (cancelled) throw new CancelledError('interaction was cancelled');
    };
    const flow = async (): Promise<Awaited<T>> => {
      const locking = this.#traits.singleWriter;
      if (locking) {
        await (waitingOn = this.#writeLock.acquire());
      }
      try {
        checkCancelled();
        const conn = await (waitingOn = this.#acquire(true));
        waitingOn = undefined;
        try {
          checkCancelled();
          await conn.exec(this.#traits.begin);
          txn = new Transaction(conn);
          return await this.#transact(conn, txn, fn, args, () => cancelled);
        } finally {
          this.#release(conn);
        }
      } finally {
        if (locking) this.#writeLock.release();
      }
    };
    flow().then(
      (v) => {
        if (!d.called) d.callback(v);
      },
      (e: unknown) => {
        if (!d.called) d.errback(e);
      },
    );
    return d;
  }

  async #transact<T, A extends unknown[]>(conn: Connection, txn: Transaction, fn: (txn: Transaction, ...args: A) => T | PromiseLike<T>, args: A, cancelled: () => boolean): Promise<Awaited<T>> {
    let result: Awaited<T>;
    try {
      result = await fn(txn, ...args);
      if (cancelled()) throw new CancelledError('interaction was cancelled');
    } catch (e) {
      txn.close(finishedError());
      await this.#rollback(conn);
      throw e;
    }
    txn.close(finishedError());
    try {
      await conn.exec('COMMIT');
    } catch (e) {
      await this.#rollback(conn);
      throw e;
    }
    return result;
  }

  /** Rolls back; a connection that cannot roll back is closed rather than reused. */
  async #rollback(conn: Connection): Promise<void> {
    if (conn.broken) return;
    try {
      await conn.exec('ROLLBACK');
    } catch (e) {
      if (!conn.broken) {
        log.failure('rollback failed; closing the connection', new Failure(e), {}, 'warn');
        this.#condemned.add(conn);
      }
    }
  }

  /**
   * Closes the pool: callers still waiting fail with `ConnectionPoolClosedError`, running work finishes,
   * then every connection is closed. New work fails at once.
   */
  close(): Deferred<void> {
    const d = new Deferred<void>();
    this.#closeWaiters.push(d);
    if (!this.#closing) {
      this.#closing = true;
      const error = new ConnectionPoolClosedError('connection pool was closed before the operation ran');
      for (const w of this.#waiters.splice(0)) w.d.errback(error);
      this.#writeLock.failWaiters(error);
      for (const c of this.#idle.splice(0)) this.#discard(c);
    }
    this.#checkClosed();
    return d;
  }

  #withConnection<T>(fn: (c: Connection) => Deferred<T>): Deferred<T> {
    return this.#acquire(false).addCallback((conn) =>
      fn(conn).addBoth((r) => {
        this.#release(conn);
        return r;
      }),
    ) as Deferred<T>;
  }

  /**
   * A connection: a free one; else, for a single statement and when nobody queues, a share of the least
   * busy connection lent for single statements (opening another one meanwhile, up to `max`); else a
   * place in the FIFO queue.
   */
  #acquire(exclusive: boolean): Deferred<Connection> {
    if (this.#closing) return Deferred.fail(new ConnectionPoolClosedError());
    const idle = this.#idle.pop();
    if (idle) {
      this.#retireCalls.get(idle)?.cancel();
      this.#retireCalls.delete(idle);
      this.#checkout(idle, exclusive);
      return Deferred.succeed(idle);
    }
    if (!exclusive && this.#waiters.length === 0) {
      const shared = this.#leastBusyShared();
      if (shared) {
        if (this.#all.size < this.#max) this.#openOne();
        this.#checkout(shared, false);
        return Deferred.succeed(shared);
      }
    }
    const waiter: Waiter = {
      exclusive,
      d: new Deferred<Connection>(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      }),
    };
    this.#waiters.push(waiter);
    if (this.#all.size < this.#max) this.#openOne();
    return waiter.d;
  }

  #leastBusyShared(): Connection | undefined {
    let best: Connection | undefined;
    let fewest = PIPELINE_DEPTH;
    for (const [conn, users] of this.#shared) {
      if (users < fewest && !conn.broken && !this.#condemned.has(conn)) {
        best = conn;
        fewest = users;
      }
    }
    return best;
  }

  #checkout(conn: Connection, exclusive: boolean): void {
    this.#inUse++;
    if (!exclusive) this.#shared.set(conn, (this.#shared.get(conn) ?? 0) + 1);
  }

  #release(conn: Connection): void {
    this.#inUse--;
    const users = this.#shared.get(conn);
    if (users !== undefined && users > 1) {
      this.#shared.set(conn, users - 1);
      this.#shareWithWaiters(conn);
      return;
    }
    this.#shared.delete(conn);
    this.#offer(conn);
  }

  /** Lends a connection already shared to the single statements at the head of the queue. */
  #shareWithWaiters(conn: Connection): void {
    if (conn.broken || this.#closing || this.#condemned.has(conn)) return;
    while (this.#waiters.length > 0 && !this.#waiters[0].exclusive && (this.#shared.get(conn) ?? 0) < PIPELINE_DEPTH) {
      const waiter = this.#waiters.shift()!;
      this.#checkout(conn, false);
      waiter.d.callback(conn);
    }
  }

  /** Hands a free connection to the first waiter, or makes it idle (or closes it, when it should go). */
  #offer(conn: Connection): void {
    if (conn.broken || this.#closing || this.#condemned.has(conn)) {
      this.#discard(conn);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#checkout(conn, waiter.exclusive);
      waiter.d.callback(conn);
      if (!waiter.exclusive) this.#shareWithWaiters(conn);
      return;
    }
    this.#idle.push(conn);
    if (this.#all.size > this.#min && Number.isFinite(this.#idleTimeout)) {
      this.#retireCalls.set(
        conn,
        this.#clock.callLater(this.#idleTimeout, () => {
          this.#retireCalls.delete(conn);
          const at = this.#idle.indexOf(conn);
          if (at >= 0 && this.#all.size > this.#min) {
            this.#idle.splice(at, 1);
            this.#discard(conn);
          }
        }),
      );
    }
  }

  /** Opens a connection for the first waiter (or `into`, or the idle list). */
  #openOne(into?: Deferred<Connection>): void {
    let conn: Connection;
    try {
      conn = new Connection(this.#workerOptions);
    } catch (e) {
      this.#openFailed(into, e);
      return;
    }
    this.#all.add(conn);
    conn.onExit = () => this.#onExit(conn);
    conn.open(this.driver, this.#driverOptions, this.#openFun).addCallbacks(
      () => {
        if (into) into.callback(conn);
        else this.#offer(conn);
      },
      (f: Failure) => {
        this.#discard(conn);
        this.#openFailed(into, f);
      },
    );
  }

  #openFailed(into: Deferred<Connection> | undefined, error: unknown): void {
    const waiter = into ?? this.#waiters.shift()?.d;
    if (waiter) waiter.errback(error);
    else log.failure('could not open a database connection', error instanceof Failure ? error : new Failure(error), {}, 'error');
  }

  /** Forgets a connection and closes it (or lets it end, if its worker is gone). */
  #discard(conn: Connection): void {
    if (!this.#all.delete(conn)) return;
    const at = this.#idle.indexOf(conn);
    if (at >= 0) this.#idle.splice(at, 1);
    this.#retireCalls.get(conn)?.cancel();
    this.#retireCalls.delete(conn);
    conn.close().addBoth(() => this.#checkClosed());
  }

  /** A connection's worker exited on its own: a crash. */
  #onExit(conn: Connection): void {
    if (!this.#all.has(conn)) return;
    log.warn('database connection worker {threadId} exited unexpectedly', { threadId: conn.threadId });
    this.#discard(conn);
    if (this.#closing) return;
    if (this.#waiters.length > 0 && this.#all.size < this.#max) this.#openOne();
    else if (this.#all.size < this.#min) this.#openOne();
  }

  #checkClosed(): void {
    if (!this.#closing || this.#all.size > 0) return;
    for (const d of this.#closeWaiters.splice(0)) d.callback(undefined);
  }
}
