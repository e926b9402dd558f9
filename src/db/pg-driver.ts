/**
 * PostgreSQL through the `pg` npm package, inside a connection's worker. `pg` is an optional
 * dependency: it is imported only when a `'pg'` pool opens a connection.
 * @module
 */
import type { DriverConnection } from './driver.js';
import { DriverNotInstalledError } from './errors.js';
import type { ExecuteResult, Params, PgOptions, Row, RunResult } from './interfaces.js';

/** The part of `pg` used here (its types are not a dependency). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  end(): Promise<void>;
}
interface PgModule {
  Client: new (config: Record<string, unknown>) => PgClient;
}

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
  if (!Array.isArray(params)) throw new TypeError('PostgreSQL takes positional parameters ($1, $2, ...) as an array');
  return params as unknown[];
}

/** Opens a PostgreSQL connection. */
export async function openPg(options: PgOptions): Promise<DriverConnection> {
  const pg = await loadPg();
  const client = new pg.Client({ ...options });
  await client.connect();
  const execute = async (sql: string, params: Params | undefined): Promise<ExecuteResult> => {
    const res = await client.query(sql, positional(params));
    return { rows: res.rows, changes: res.rowCount ?? 0, lastInsertRowid: null };
  };
  return {
    native: client,
    async query(sql, params) {
      return (await client.query(sql, positional(params))).rows;
    },
    async run(sql, params): Promise<RunResult> {
      const { changes, lastInsertRowid } = await execute(sql, params);
      return { changes, lastInsertRowid };
    },
    execute,
    async executeMany(sql, paramSets) {
      let changes = 0;
      for (const params of paramSets) changes += (await execute(sql, params)).changes;
      return { changes, lastInsertRowid: null };
    },
    async exec(sql) {
      await client.query(sql);
    },
    async close() {
      await client.end();
    },
  };
}
