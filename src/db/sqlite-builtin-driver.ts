/**
 * SQLite through the runtime's own `node:sqlite` (`DatabaseSync`), where `better-sqlite3` cannot load:
 * Deno (which loads no nan-based addon) and Bun (which does not support that package), both of which have
 * `node:sqlite`. It answers as the `better-sqlite3` driver does: plain row objects, `Buffer` blobs,
 * `SQLITE_...` error codes.
 * @module
 */
import type { DriverConnection } from './driver.js';
import type { ExecuteResult, Params, Row, RunResult, SqliteOptions } from './interfaces.js';

/** The part of `node:sqlite` used here (its types are not in Node 20's @types/node). */
interface StatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  all(...params: unknown[]): Record<string, unknown>[];
  columns(): unknown[];
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}
/** `node:sqlite`'s module shape. */
export interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean; timeout?: number }) => DatabaseSync;
}

const STATEMENT_CACHE_SIZE = 256;

/** SQLite's primary result codes by number, for `driverCode` (extended codes are listed in full below). */
const PRIMARY_CODES: Record<number, string> = {
  1: 'ERROR', 2: 'INTERNAL', 3: 'PERM', 4: 'ABORT', 5: 'BUSY', 6: 'LOCKED', 7: 'NOMEM', 8: 'READONLY',
  9: 'INTERRUPT', 10: 'IOERR', 11: 'CORRUPT', 13: 'FULL', 14: 'CANTOPEN', 18: 'TOOBIG', 19: 'CONSTRAINT',
  20: 'MISMATCH', 21: 'MISUSE', 23: 'AUTH', 25: 'RANGE', 26: 'NOTADB',
};
const EXTENDED_CODES: Record<number, string> = {
  275: 'CONSTRAINT_CHECK', 531: 'CONSTRAINT_COMMITHOOK', 787: 'CONSTRAINT_FOREIGNKEY', 1043: 'CONSTRAINT_FUNCTION',
  1299: 'CONSTRAINT_NOTNULL', 1555: 'CONSTRAINT_PRIMARYKEY', 1811: 'CONSTRAINT_TRIGGER', 2067: 'CONSTRAINT_UNIQUE',
  2579: 'CONSTRAINT_ROWID', 261: 'BUSY_RECOVERY', 517: 'BUSY_SNAPSHOT', 264: 'READONLY_RECOVERY', 520: 'READONLY_CANTLOCK',
};

/** `node:sqlite` reports `ERR_SQLITE_ERROR` with the number in `errcode`: give the name `better-sqlite3` gives. */
function withSqliteCode(e: unknown): unknown {
  const error = e as { code?: unknown; errcode?: unknown };
  if (error && typeof error.errcode === 'number') {
    const name = EXTENDED_CODES[error.errcode] ?? PRIMARY_CODES[error.errcode & 0xff];
    if (name) {
      try {
        error.code = `SQLITE_${name}`;
      } catch {
        // A frozen error keeps the runtime's code.
      }
    }
  }
  return e;
}

function bind(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? (params as unknown[]) : [params];
}

/** A row as `better-sqlite3` gives it: an ordinary object, blobs as `Buffer`s. */
function plainRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const key of Object.keys(row)) {
    const v = row[key];
    out[key] = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  }
  return out;
}

/** Opens a SQLite connection on `node:sqlite`; files use WAL unless `wal: false`. */
export function openBuiltinSqlite(sqlite: NodeSqlite, options: SqliteOptions): DriverConnection {
  const db = new sqlite.DatabaseSync(options.filename, { readOnly: options.readonly ?? false, timeout: (options.busyTimeout ?? 5) * 1000 });
  if (options.filename !== ':memory:' && options.filename !== '' && !options.readonly && options.wal !== false) db.exec('PRAGMA journal_mode = WAL');
  const cache = new Map<string, { stmt: StatementSync; reader: boolean }>();

  function prepare(sql: string): { stmt: StatementSync; reader: boolean } {
    let entry = cache.get(sql);
    if (entry) {
      cache.delete(sql);
    } else {
      const stmt = db.prepare(sql);
      entry = { stmt, reader: stmt.columns().length > 0 };
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, entry);
    return entry;
  }

  function run(stmt: StatementSync, params: Params | undefined): RunResult {
    const info = stmt.run(...bind(params));
    return { changes: Number(info.changes), lastInsertRowid: info.lastInsertRowid };
  }

  function guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw withSqliteCode(e);
    }
  }

  return {
    native: db,
    query: (sql, params) =>
      guarded(() => {
        const { stmt, reader } = prepare(sql);
        if (!reader) {
          stmt.run(...bind(params));
          return [];
        }
        return stmt.all(...bind(params)).map(plainRow);
      }),
    run: (sql, params) => guarded(() => run(prepare(sql).stmt, params)),
    execute: (sql, params): ExecuteResult =>
      guarded(() => {
        const { stmt, reader } = prepare(sql);
        if (reader) return { rows: stmt.all(...bind(params)).map(plainRow), changes: 0, lastInsertRowid: null };
        return { rows: [], ...run(stmt, params) };
      }),
    executeMany: (sql, paramSets) =>
      guarded(() => {
        const { stmt } = prepare(sql);
        let changes = 0;
        let lastInsertRowid: number | bigint | null = null;
        for (const params of paramSets) {
          const info = run(stmt, params);
          changes += info.changes;
          lastInsertRowid = info.lastInsertRowid;
        }
        return { changes, lastInsertRowid };
      }),
    exec: (sql) => guarded(() => db.exec(sql)),
    close() {
      cache.clear();
      db.close();
    },
  };
}
