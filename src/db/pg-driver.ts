/**
 * PostgreSQL through the `pg` npm package, inside a connection's worker. `pg` is imported only when a
 * `'pg'` pool opens a connection, so SQLite-only applications never load it.
 *
 * A server can go away under an idle connection (a restart, a failover, an administrator's
 * `pg_terminate_backend`). The driver notices (the client's `'error'`/`'end'` events) and connects again
 * before the next statement, so the pool heals without the caller seeing an error. A connection lost inside a
 * transaction is different: its statements must not go on in autocommit on a new session, so everything
 * up to the pool's `ROLLBACK` fails with SQLSTATE 08006, and only then does the driver reconnect.
 * @module
 */
import type { DriverConnection } from './driver.js';
import { DriverNotInstalledError } from './errors.js';
import type { ExecuteResult, Params, PgOptions, Row, RunResult } from './interfaces.js';

/** The part of `pg.Client` used here. */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed transaction (as of the server's last ReadyForQuery). */
  getTransactionStatus?(): string | null;
}
interface PgModule {
  Client: new (config: Record<string, unknown>) => PgClient;
}

/** SQLSTATE `connection_failure`. */
const CONNECTION_FAILURE = '08006';

/**
 * Imports `pg`, failing with {@link DriverNotInstalledError} (which names the npm package) when it is
 * not installed. `importer` is there for tests.
 */
export async function loadPg(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<PgModule> {
  let mod: { default?: PgModule } & Partial<PgModule>;
  try {
    mod = (await importer('pg')) as typeof mod;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new DriverNotInstalledError('pg', { cause: e });
    throw e;
  }
  return (mod.Client ? mod : mod.default) as PgModule;
}

function positional(params: Params | undefined): unknown[] | undefined {
  if (params === undefined) return undefined;
  if (!Array.isArray(params)) throw new TypeError('PostgreSQL takes positional parameters ($1, $2, ...) as an array, not named ones');
  return params as unknown[];
}

function connectionFailure(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code: CONNECTION_FAILURE });
}

/**
 * Opens a PostgreSQL connection. `onConnect` runs on every new `pg.Client` (the first, and each one made
 * when reconnecting), so session settings made by the pool's `openFun` survive a reconnect.
 */
export async function openPg(options: PgOptions, onConnect?: (client: PgClient) => unknown): Promise<DriverConnection> {
  const pg = await loadPg();
  let client!: PgClient;
  /** Why the current client is unusable, if it is. */
  let lost: Error | undefined;
  /** The client was lost with a transaction open: statements fail until the pool's ROLLBACK. */
  let lostInTransaction = false;
  let closing = false;

  async function connect(): Promise<void> {
    const c = new pg.Client({ ...options });
    const onLost = (error?: Error): void => {
      if (c !== client || lost || closing) return;
      const status = c.getTransactionStatus?.();
      lost = error ?? connectionFailure('the server closed the connection');
      lostInTransaction = status === 'T' || status === 'E';
    };
    // Without an 'error' listener an idle client whose server goes away would crash the worker.
    c.on('error', onLost);
    c.on('end', () => onLost());
    try {
      await c.connect();
      await onConnect?.(c);
    } catch (e) {
      c.end().catch(() => {});
      throw e;
    }
    client = c;
    lost = undefined;
    lostInTransaction = false;
  }

  /** The client to run `sql` on, connecting again first if the last one was lost outside a transaction. */
  async function live(sql: string): Promise<PgClient | undefined> {
    if (!lost) return client;
    if (lostInTransaction) {
      // The server rolled the transaction back when the session ended; the pool's ROLLBACK just says so.
      if (/^\s*ROLLBACK\s*$/i.test(sql)) {
        lostInTransaction = false;
        return undefined;
      }
      throw connectionFailure(`the connection to the server was lost during the transaction, which was rolled back: ${lost.message}`, lost);
    }
    const old = client;
    old.end().catch(() => {});
    await connect();
    return client;
  }

  async function run(sql: string, params: Params | undefined): Promise<{ rows: Row[]; rowCount: number | null }> {
    const values = positional(params);
    const c = await live(sql);
    if (!c) return { rows: [], rowCount: 0 };
    return c.query(sql, values);
  }

  async function execute(sql: string, params: Params | undefined): Promise<ExecuteResult> {
    const res = await run(sql, params);
    return { rows: res.rows, changes: res.rowCount ?? 0, lastInsertRowid: null };
  }

  await connect();
  return {
    get native() {
      return client;
    },
    async query(sql, params) {
      return (await run(sql, params)).rows;
    },
    async run(sql, params): Promise<RunResult> {
      const res = await run(sql, params);
      return { changes: res.rowCount ?? 0, lastInsertRowid: null };
    },
    execute,
    async executeMany(sql, paramSets) {
      let changes = 0;
      for (const params of paramSets) changes += (await execute(sql, params)).changes;
      return { changes, lastInsertRowid: null };
    },
    async exec(sql) {
      await run(sql, undefined);
    },
    async close() {
      closing = true;
      // A lost session has nothing to say goodbye to: do not wait for it.
      const ending = client.end().catch(() => {});
      if (!lost) await ending;
    },
  };
}
