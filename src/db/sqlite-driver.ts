/**
 * SQLite through `better-sqlite3` (version 12), inside a connection's worker; where that package cannot
 * load (Deno, Bun), through the runtime's own `node:sqlite` (sqlite-builtin-driver.ts). Prepared
 * statements are cached per connection.
 * @module
 */
import type Database from 'better-sqlite3';
import { runtimeDescription } from '../internet/runtime.js';
import type { DriverConnection } from './driver.js';
import { DriverNotInstalledError, SqliteUnavailableError } from './errors.js';
import { openBuiltinSqlite, type NodeSqlite } from './sqlite-builtin-driver.js';
import type { ExecuteResult, Params, Row, RunResult, SqliteOptions } from './interfaces.js';

const STATEMENT_CACHE_SIZE = 256;

type Statement = Database.Statement<unknown[], unknown>;

function bind(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? (params as unknown[]) : [params];
}

type BetterSqlite = typeof Database;

/** Which SQLite this worker uses, found once. */
let chosen: Promise<{ better: BetterSqlite } | { builtin: NodeSqlite }> | undefined;

async function importBuiltin(): Promise<NodeSqlite | undefined> {
  try {
    // A variable specifier: Node 20 has no node:sqlite, and bundlers must not try to resolve it.
    const name = 'node:sqlite';
    return (await import(name)) as NodeSqlite;
  } catch {
    return undefined;
  }
}

/**
 * `better-sqlite3` if it loads here (its native addon is tried on an in-memory database), else the
 * runtime's `node:sqlite`, else an error naming the runtime and what is missing.
 */
async function chooseSqlite(): Promise<{ better: BetterSqlite } | { builtin: NodeSqlite }> {
  let failure: unknown;
  try {
    const better = (await import('better-sqlite3')).default;
    new better(':memory:').close();
    return { better };
  } catch (e) {
    failure = e;
  }
  const builtin = await importBuiltin();
  if (builtin) return { builtin };
  const code = (failure as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new DriverNotInstalledError('better-sqlite3', { cause: failure });
  throw new SqliteUnavailableError(runtimeDescription(), (failure as Error).message, { cause: failure });
}

/** Opens a SQLite connection (see {@link openSqliteWith}) on the SQLite this runtime can load. */
export async function openSqlite(options: SqliteOptions): Promise<DriverConnection> {
  chosen ??= chooseSqlite();
  let driver;
  try {
    driver = await chosen;
  } catch (e) {
    chosen = undefined;
    throw e;
  }
  return 'better' in driver ? openSqliteWith(driver.better, options) : openBuiltinSqlite(driver.builtin, options);
}

/** Opens a SQLite connection on `better-sqlite3`; files use WAL unless `wal: false`. */
function openSqliteWith(Database: BetterSqlite, options: SqliteOptions): DriverConnection {
  const db = new Database(options.filename, { readonly: options.readonly ?? false, timeout: (options.busyTimeout ?? 5) * 1000 });
  if (options.filename !== ':memory:' && options.filename !== '' && !options.readonly && options.wal !== false) db.pragma('journal_mode = WAL');
  const cache = new Map<string, Statement>();

  function prepare(sql: string): Statement {
    let stmt = cache.get(sql);
    if (stmt) {
      // Refresh its place: the Map's order is the eviction order.
      cache.delete(sql);
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  }

  function run(stmt: Statement, params: Params | undefined): RunResult {
    const info = stmt.run(...bind(params));
    return { changes: info.changes, lastInsertRowid: info.lastInsertRowid };
  }

  return {
    native: db,
    query(sql, params) {
      const stmt = prepare(sql);
      if (!stmt.reader) {
        stmt.run(...bind(params));
        return [];
      }
      return stmt.all(...bind(params)) as Row[];
    },
    run(sql, params) {
      return run(prepare(sql), params);
    },
    execute(sql, params): ExecuteResult {
      const stmt = prepare(sql);
      if (stmt.reader) return { rows: stmt.all(...bind(params)) as Row[], changes: 0, lastInsertRowid: null };
      return { rows: [], ...run(stmt, params) };
    },
    executeMany(sql, paramSets) {
      const stmt = prepare(sql);
      let changes = 0;
      let lastInsertRowid: number | bigint | null = null;
      for (const params of paramSets) {
        const info = run(stmt, params);
        changes += info.changes;
        lastInsertRowid = info.lastInsertRowid;
      }
      return { changes, lastInsertRowid };
    },
    exec(sql) {
      db.exec(sql);
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
