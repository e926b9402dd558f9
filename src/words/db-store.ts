/**
 * `DbStore`: accounts and history in a database through `torsion/db` (SQLite by default, PostgreSQL when
 * handed a `pg` pool). Tables are created on `start`. Appended messages are written in batches, one
 * write in flight at a time, so a busy room costs one round trip to the database worker per batch rather
 * than per line; each message's Deferred fires when its batch has committed, so a front door can
 * acknowledge a line once it is on disk. Old lines are deleted past a per-room and a total limit.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionPool, type Row } from '../db/index.js';
import { Logger } from '../logger/index.js';
import type { ScramCredentials } from '../cred/scram.js';
import { AccountExistsError } from './errors.js';
import { WORDS_LIMITS } from './limits.js';
import type { AccountRecord, ChatMessage, HistoryQuery, IWordsStore } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.words.db' });

/** The SCRAM keys column, read back; a value that is not a list of keys counts as none. */
function parseScram(text: string): ScramCredentials[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return undefined;
    return value.filter((c): c is ScramCredentials => typeof c === 'object' && c !== null && (c.hash === 'sha1' || c.hash === 'sha256') && typeof c.salt === 'string' && Number.isInteger(c.iterations) && typeof c.storedKey === 'string' && typeof c.serverKey === 'string');
  } catch {
    return undefined;
  }
}

/** The service's seconds (to the millisecond) as the whole milliseconds the tables hold. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Options of {@link DbStore}: an open pool, or a SQLite file to open. */
export interface DbStoreOptions {
  /** A pool to use (not closed by `stop`). */
  pool?: ConnectionPool;
  /** A SQLite file to open when no pool is given (`:memory:` works for tests). */
  filename?: string;
  /** Messages kept per room; older ones are deleted as new ones arrive (10000 by default). */
  historyPerRoom?: number;
  /** Messages kept in all rooms together; the oldest are deleted, whatever their room (200000 by default). */
  maxHistory?: number;
}

interface PendingRow {
  room: string;
  message: ChatMessage;
  stored: Deferred<void>;
}

/** Appends to one room between two trims of its old lines. */
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
  readonly #maxHistory: number;
  readonly #pg: boolean;
  #pending: PendingRow[] = [];
  #writing = false;
  #scheduled = false;
  /** Messages appended so far, and those whose batch has finished (stored or failed). */
  #appended = 0;
  #written = 0;
  /** Who waits for `#written` to reach a count, in the order they asked. */
  #waiters: { upTo: number; d: Deferred<void> }[] = [];
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
    this.#perRoom = options.historyPerRoom ?? WORDS_LIMITS.dbStore.historyPerRoom;
    this.#maxHistory = options.maxHistory ?? WORDS_LIMITS.dbStore.maxHistory;
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
      // History is read by time: this index lets a query stop after the lines it returns.
      'CREATE INDEX IF NOT EXISTS words_messages_room_time ON words_messages (room, time, seq)',
    ];
    return Deferred.fromPromise(
      (async () => {
        for (const s of statements) await this.pool.runOperation(s);
        await this.#addColumn('words_accounts', 'scram', 'TEXT');
        // The room sequence number ({@link ChatMessage.seq}).
        await this.#addColumn('words_messages', 'room_seq', 'BIGINT');
        // A page that lost its node asks for the lines after a room number: found without a scan.
        await this.pool.runOperation('CREATE INDEX IF NOT EXISTS words_messages_room_seq ON words_messages (room, room_seq)');
      })(),
    );
  }

  /** A column added since the first release (the SCRAM keys, the room number), added to a table made before it. */
  async #addColumn(table: string, column: string, type: string): Promise<void> {
    if (this.#pg) {
      await this.pool.runOperation(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
      return;
    }
    const columns = await this.pool.runQuery<Row>(`SELECT name FROM pragma_table_info('${table}')`);
    if (!columns.some((c) => c.name === column)) await this.pool.runOperation(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }

  stop(): Deferred<void> {
    return this.flush().addCallback(() => (this.#ownsPool ? this.pool.close() : undefined));
  }

  getAccount(key: string): Deferred<AccountRecord | undefined> {
    return this.pool
      .runQuery<Row>(this.#sql('SELECT name, password_hash, created, scram FROM words_accounts WHERE key = ?'), [key])
      .addCallback((rows) => {
        const r = rows[0];
        if (!r) return undefined;
        const record: AccountRecord = { name: String(r.name), passwordHash: String(r.password_hash), created: Number(r.created) / 1000 };
        const scram = typeof r.scram === 'string' ? parseScram(r.scram) : undefined;
        if (scram) record.scram = scram;
        return record;
      });
  }

  createAccount(key: string, record: AccountRecord): Deferred<void> {
    const conflict = this.#pg ? 'ON CONFLICT (key) DO NOTHING' : '';
    const sql = this.#pg
      ? `INSERT INTO words_accounts (key, name, password_hash, created, scram) VALUES (?, ?, ?, ?, ?) ${conflict}`
      : 'INSERT OR IGNORE INTO words_accounts (key, name, password_hash, created, scram) VALUES (?, ?, ?, ?, ?)';
    return this.pool.runOperation(this.#sql(sql), [key, record.name, record.passwordHash, toMs(record.created), record.scram ? JSON.stringify(record.scram) : null]).addCallback((r) => {
      if (r.changes === 0) throw new AccountExistsError(record.name);
    });
  }

  setPasswordHash(key: string, passwordHash: string, scram?: readonly ScramCredentials[]): Deferred<boolean> {
    return this.pool
      .runOperation(this.#sql('UPDATE words_accounts SET password_hash = ?, scram = ? WHERE key = ?'), [passwordHash, scram ? JSON.stringify(scram) : null, key])
      .addCallback((r) => r.changes > 0);
  }

  setScramCredentials(key: string, passwordHash: string, scram: readonly ScramCredentials[]): Deferred<boolean> {
    return this.pool
      .runOperation(this.#sql('UPDATE words_accounts SET scram = ? WHERE key = ? AND password_hash = ?'), [JSON.stringify(scram), key, passwordHash])
      .addCallback((r) => r.changes > 0);
  }

  deleteAccount(key: string): Deferred<boolean> {
    return this.pool.runOperation(this.#sql('DELETE FROM words_accounts WHERE key = ?'), [key]).addCallback((r) => r.changes > 0);
  }

  appendMessage(roomKey: string, message: ChatMessage): Deferred<void> {
    const stored = new Deferred<void>();
    this.#pending.push({ room: roomKey, message, stored });
    this.#appended++;
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#writeBatch();
      });
    }
    return stored;
  }

  /** The rooms of `batch` whose old lines are due for deletion. */
  #roomsToTrim(batch: readonly PendingRow[]): string[] {
    const rooms: string[] = [];
    for (const { room } of batch) {
      const n = (this.#sinceTrim.get(room) ?? 0) + 1;
      if (n === TRIM_EVERY) {
        this.#sinceTrim.delete(room);
        rooms.push(room);
      } else this.#sinceTrim.set(room, n);
    }
    return rooms;
  }

  /** Writes what is pending in one transaction; when that is done, writes whatever arrived meanwhile. */
  #writeBatch(): void {
    if (this.#writing || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#writing = true;
    const rooms = this.#roomsToTrim(batch);
    const insert = this.#sql('INSERT INTO words_messages (room, id, time, sender, target, body, kind, tags, room_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const trimRoom = this.#sql(
      'DELETE FROM words_messages WHERE room = ? AND seq <= (SELECT seq FROM words_messages WHERE room = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    );
    // Sequence numbers only grow, so the newest maxHistory of them hold at most maxHistory lines. A range
    // on the primary key: cheap enough for every batch.
    const trimTotal = this.#sql('DELETE FROM words_messages WHERE seq <= (SELECT MAX(seq) FROM words_messages) - ?');
    const rows = batch.map(({ room, message: m }) => [room, m.id, toMs(m.time), m.from, m.to, m.text, m.kind, m.tags ? JSON.stringify(m.tags) : null, m.seq ?? null]);
    this.pool
      .runInteraction(async (txn) => {
        await txn.executeMany(insert, rows);
        for (const room of rooms) await txn.execute(trimRoom, [room, room, this.#perRoom]);
        await txn.execute(trimTotal, [this.#maxHistory]);
      })
      .addCallbacks(
        () => {
          for (const row of batch) row.stored.callback(undefined);
        },
        (f: Failure) => {
          log.failure('could not store {count} chat messages', f, { count: batch.length });
          for (const row of batch) row.stored.errback(f);
        },
      )
      .addBoth(() => {
        this.#writing = false;
        this.#written += batch.length;
        while (this.#waiters.length > 0 && this.#waiters[0].upTo <= this.#written) this.#waiters.shift()!.d.callback(undefined);
        this.#writeBatch();
      });
  }

  /** Fires once every message appended so far has been written (or has failed to be); later ones are not waited for. */
  #settled(): Deferred<void> {
    const upTo = this.#appended;
    if (this.#written >= upTo) return Deferred.succeed(undefined);
    if (!this.#writing && !this.#scheduled) this.#writeBatch();
    const d = new Deferred<void>();
    this.#waiters.push({ upTo, d });
    return d;
  }

  history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    const where = ['room = ?'];
    const params: unknown[] = [roomKey];
    if (query.before !== undefined) {
      where.push('time < ?');
      params.push(toMs(query.before));
    }
    if (query.after !== undefined) {
      where.push('time > ?');
      params.push(toMs(query.after));
    }
    if (query.afterSeq !== undefined) {
      where.push('room_seq > ?');
      params.push(Math.floor(query.afterSeq));
    }
    params.push(Math.max(0, Math.min(query.limit, this.#perRoom)));
    const by = query.afterSeq === undefined ? ['time', 'seq'] : ['room_seq'];
    const order = by.map((c) => `${c} ${query.earliest ? 'ASC' : 'DESC'}`).join(', ');
    const sql = this.#sql(`SELECT id, time, sender, target, body, kind, tags, room_seq FROM words_messages WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`);
    return this.#settled()
      .addCallback(() => this.pool.runQuery<Row>(sql, params))
      .addCallback((rows) => {
        const messages = rows.map(toMessage);
        return query.earliest ? messages : messages.reverse();
      });
  }

  flush(): Deferred<void> {
    return this.#settled();
  }
}

function toMessage(r: Row): ChatMessage {
  const m: ChatMessage = {
    id: String(r.id),
    time: Number(r.time) / 1000,
    from: String(r.sender),
    to: String(r.target),
    ...storedKind(String(r.kind), String(r.body)),
  };
  if (typeof r.tags === 'string') m.tags = JSON.parse(r.tags) as Record<string, string>;
  if (r.room_seq !== null && r.room_seq !== undefined) m.seq = Number(r.room_seq);
  return m;
}

// eslint-disable-next-line no-control-regex
const LEGACY_ACTION = /^\x01ACTION (.+?)\x01?$/s;

/**
 * The kind and text of a stored row. Rows written before the service had kinds of its own say `privmsg`,
 * with an action still in IRC's CTCP framing; they read as `message` or `action` like new ones.
 */
function storedKind(kind: string, body: string): Pick<ChatMessage, 'kind' | 'text'> {
  if (kind === 'notice' || kind === 'action' || kind === 'message') return { kind, text: body };
  const action = LEGACY_ACTION.exec(body);
  return action ? { kind: 'action', text: action[1]! } : { kind: 'message', text: body };
}
