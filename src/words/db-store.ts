/**
 * `DbStore`: accounts and history in a database through `torsion/db` (SQLite by default, PostgreSQL when
 * handed a `pg` pool). Tables are created on `start`. Appended messages are written in batches, one
 * write in flight at a time, so a busy room costs one round trip to the database worker per batch rather
 * than per line.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionPool, type Row } from '../db/index.js';
import { Logger } from '../logger/index.js';
import { AccountExistsError } from './errors.js';
import type { AccountRecord, ChatMessage, HistoryQuery, IWordsStore } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.words.db' });

/** Options of {@link DbStore}: an open pool, or a SQLite file to open. */
export interface DbStoreOptions {
  /** A pool to use (not closed by `stop`). */
  pool?: ConnectionPool;
  /** A SQLite file to open when no pool is given (`:memory:` works for tests). */
  filename?: string;
  /** Messages kept per room; older ones are deleted as new ones arrive (10000 by default). */
  historyPerRoom?: number;
}

interface PendingRow {
  room: string;
  message: ChatMessage;
}

/** Appends to one room between trims of its old history. */
const TRIM_EVERY = 200;

/**
 * An {@link IWordsStore} on a `torsion/db` connection pool.
 *
 * @example
 * const store = new DbStore({ filename: './var/words.sqlite' });
 * const service = createWordsService({ store });
 * await service.start();
 */
export class DbStore implements IWordsStore {
  readonly pool: ConnectionPool;
  readonly #ownsPool: boolean;
  readonly #perRoom: number;
  readonly #pg: boolean;
  #pending: PendingRow[] = [];
  #writing: Deferred<void> | null = null;
  #scheduled = false;
  readonly #sinceTrim = new Map<string, number>();

  constructor(options: DbStoreOptions) {
    if (options.pool) {
      this.pool = options.pool;
      this.#ownsPool = false;
    } else {
      if (options.filename === undefined) throw new TypeError('DbStore needs a pool or a filename');
      this.pool = new ConnectionPool('sqlite', { filename: options.filename });
      this.#ownsPool = true;
    }
    this.#perRoom = options.historyPerRoom ?? 10_000;
    this.#pg = this.pool.driver === 'pg';
  }

  /** `?` placeholders rewritten to `$n` for PostgreSQL. */
  #sql(text: string): string {
    if (!this.#pg) return text;
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  }

  start(): Deferred<void> {
    const seq = this.#pg ? 'seq BIGSERIAL PRIMARY KEY' : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
    const statements = [
      'CREATE TABLE IF NOT EXISTS words_accounts (key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created BIGINT NOT NULL)',
      `CREATE TABLE IF NOT EXISTS words_messages (${seq}, room TEXT NOT NULL, id TEXT NOT NULL, time BIGINT NOT NULL, sender TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL, kind TEXT NOT NULL, tags TEXT)`,
      'CREATE INDEX IF NOT EXISTS words_messages_room ON words_messages (room, seq)',
    ];
    return Deferred.fromPromise(
      (async () => {
        for (const s of statements) await this.pool.runOperation(s);
      })(),
    );
  }

  stop(): Deferred<void> {
    return this.flush().addCallback(() => (this.#ownsPool ? this.pool.close() : undefined));
  }

  getAccount(key: string): Deferred<AccountRecord | undefined> {
    return this.pool
      .runQuery<Row>(this.#sql('SELECT name, password_hash, created FROM words_accounts WHERE key = ?'), [key])
      .addCallback((rows) => {
        const r = rows[0];
        return r && { name: String(r.name), passwordHash: String(r.password_hash), created: Number(r.created) };
      });
  }

  createAccount(key: string, record: AccountRecord): Deferred<void> {
    const conflict = this.#pg ? 'ON CONFLICT (key) DO NOTHING' : '';
    const sql = this.#pg
      ? `INSERT INTO words_accounts (key, name, password_hash, created) VALUES (?, ?, ?, ?) ${conflict}`
      : 'INSERT OR IGNORE INTO words_accounts (key, name, password_hash, created) VALUES (?, ?, ?, ?)';
    return this.pool.runOperation(this.#sql(sql), [key, record.name, record.passwordHash, record.created]).addCallback((r) => {
      if (r.changes === 0) throw new AccountExistsError(record.name);
    });
  }

  setPasswordHash(key: string, passwordHash: string): Deferred<boolean> {
    return this.pool
      .runOperation(this.#sql('UPDATE words_accounts SET password_hash = ? WHERE key = ?'), [passwordHash, key])
      .addCallback((r) => r.changes > 0);
  }

  deleteAccount(key: string): Deferred<boolean> {
    return this.pool.runOperation(this.#sql('DELETE FROM words_accounts WHERE key = ?'), [key]).addCallback((r) => r.changes > 0);
  }

  appendMessage(roomKey: string, message: ChatMessage): void {
    this.#pending.push({ room: roomKey, message });
    if (!this.#scheduled && this.#writing === null) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#writeBatch();
      });
    }
  }

  /** Writes what is pending; when that is done, writes whatever arrived meanwhile. */
  #writeBatch(): void {
    if (this.#writing !== null || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const toTrim: string[] = [];
    for (const { room } of batch) {
      const n = (this.#sinceTrim.get(room) ?? 0) + 1;
      this.#sinceTrim.set(room, n);
      if (n === TRIM_EVERY) {
        this.#sinceTrim.set(room, 0);
        toTrim.push(room);
      }
    }
    const insert = this.#sql('INSERT INTO words_messages (room, id, time, sender, target, body, kind, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const trim = this.#sql(
      'DELETE FROM words_messages WHERE room = ? AND seq <= (SELECT seq FROM words_messages WHERE room = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    );
    const rows = batch.map(({ room, message: m }) => [room, m.id, m.time, m.from, m.to, m.text, m.kind, m.tags ? JSON.stringify(m.tags) : null]);
    const writing = this.pool.runInteraction(async (txn) => {
      await txn.executeMany(insert, rows);
      for (const room of toTrim) await txn.execute(trim, [room, room, this.#perRoom]);
    });
    this.#writing = writing.addCallbacks(
      () => undefined,
      (f: Failure) => {
        log.failure('could not store {count} chat messages', f, { count: batch.length });
      },
    );
    this.#writing.addBoth(() => {
      this.#writing = null;
      this.#writeBatch();
    });
  }

  history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    const where = ['room = ?'];
    const params: unknown[] = [roomKey];
    if (query.before !== undefined) {
      where.push('time < ?');
      params.push(query.before);
    }
    if (query.after !== undefined) {
      where.push('time > ?');
      params.push(query.after);
    }
    params.push(Math.max(0, Math.min(query.limit, this.#perRoom)));
    const sql = this.#sql(`SELECT id, time, sender, target, body, kind, tags FROM words_messages WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`);
    return this.flush()
      .addCallback(() => this.pool.runQuery<Row>(sql, params))
      .addCallback((rows) =>
        rows.reverse().map((r) => {
          const m: ChatMessage = {
            id: String(r.id),
            time: Number(r.time),
            from: String(r.sender),
            to: String(r.target),
            text: String(r.body),
            kind: r.kind === 'notice' ? 'notice' : 'privmsg',
          };
          if (typeof r.tags === 'string') m.tags = JSON.parse(r.tags) as Record<string, string>;
          return m;
        }),
      );
  }

  flush(): Deferred<void> {
    if (this.#pending.length > 0) this.#writeBatch();
    const writing = this.#writing;
    if (writing === null) return Deferred.succeed(undefined);
    // Whatever is pending after this batch is written by the batch that follows it.
    return Deferred.fromPromise(writing.asPromise()).addCallback(() => this.flush());
  }
}
