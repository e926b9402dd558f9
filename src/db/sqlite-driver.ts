/**
 * SQLite through `better-sqlite3` (version 12), inside a connection's worker. Prepared statements are
 * cached per connection.
 * @module
 */
import Database from 'better-sqlite3';
import type { DriverConnection } from './driver.js';
import type { ExecuteResult, Params, Row, RunResult, SqliteOptions } from './interfaces.js';

const STATEMENT_CACHE_SIZE = 256;

type Statement = Database.Statement<unknown[], unknown>;

function bind(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? (params as unknown[]) : [params];
}

/** Opens a SQLite connection; files use WAL unless `wal: false`. */
export function openSqlite(options: SqliteOptions): DriverConnection {
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
