/**
 * A news store in SQLite through `torsion/db` (the default of `torsion news`). Each article is filed in one
 * transaction that also advances its groups' high-water marks, so numbers and message-ids survive a
 * restart or a crash and a number is never given twice.
 * @module
 */
import { ConnectionPool } from '../db/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import { formatOverview, headerValue, newsgroupsOf, overviewOf, type Article, type Overview } from './article.js';
import { wildmatMatch } from './codec.js';
import { NNTPDuplicateArticleError, NNTPNoSuchGroupError } from './errors.js';
import type { GroupInfo, INewsStorage, StoredArticle } from './interfaces.js';

/** Options of a {@link DbNewsStorage}: a SQLite file, or a pool of one's own. */
export type DbNewsStorageOptions = { filename: string; clock?: IReactorTime } | { pool: ConnectionPool };

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS nntp_groups (name TEXT PRIMARY KEY, high INTEGER NOT NULL DEFAULT 0, posting TEXT NOT NULL DEFAULT 'y', description TEXT NOT NULL DEFAULT '', created REAL NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS nntp_articles (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, body BLOB NOT NULL, arrived REAL NOT NULL,
     subject TEXT NOT NULL, author TEXT NOT NULL, date TEXT NOT NULL, refs TEXT NOT NULL, bytes INTEGER NOT NULL, lines INTEGER NOT NULL,
     overview TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS nntp_numbers (grp TEXT NOT NULL, number INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (grp, number))`,
  `CREATE INDEX IF NOT EXISTS nntp_numbers_article ON nntp_numbers (article)`,
  `CREATE INDEX IF NOT EXISTS nntp_articles_arrived ON nntp_articles (arrived)`,
];

interface GroupRow {
  name: string;
  high: number;
  posting: string;
  description: string;
  created: number;
  low: number | null;
  count: number;
}

interface ArticleRow {
  id: number;
  message_id: string;
  body: Uint8Array;
  arrived: number;
}

const GROUP_SELECT = `SELECT g.name, g.high, g.posting, g.description, g.created,
  (SELECT MIN(number) FROM nntp_numbers WHERE grp = g.name) AS low, (SELECT COUNT(*) FROM nntp_numbers WHERE grp = g.name) AS count FROM nntp_groups g`;

/** An OVER line without its number (kept with the article, so OVER reads one column per article). */
function overviewTail(o: Overview): string {
  const line = formatOverview(0, o);
  return line.slice(line.indexOf('\t') + 1);
}

function toGroup(r: GroupRow): GroupInfo {
  const posting = r.posting === 'n' || r.posting === 'm' ? r.posting : 'y';
  return { name: r.name, high: Number(r.high), low: r.low === null ? Number(r.high) + 1 : Number(r.low), count: Number(r.count), posting, description: r.description, created: Number(r.created) };
}

/**
 * {@link INewsStorage} in SQLite.
 *
 * @example
 * const store = new DbNewsStorage({ filename: './var/news/news.sqlite' });
 * await store.open();
 */
export class DbNewsStorage implements INewsStorage {
  readonly pool: ConnectionPool;
  readonly #ownPool: boolean;
  #opened: Promise<void> | undefined;

  constructor(options: DbNewsStorageOptions) {
    if ('pool' in options) {
      this.pool = options.pool;
      this.#ownPool = false;
    } else {
      this.pool = new ConnectionPool('sqlite', { filename: options.filename, ...(options.clock ? { clock: options.clock } : {}) });
      this.#ownPool = true;
    }
  }

  /** Makes the tables if missing; every other method waits for it. */
  open(): Promise<void> {
    this.#opened ??= (async () => {
      for (const sql of SCHEMA) await this.pool.runOperation(sql);
    })();
    return this.#opened;
  }

  async #query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.open();
    return this.pool.runQuery<R>(sql, params);
  }

  async #article(row: ArticleRow | undefined): Promise<StoredArticle | undefined> {
    if (row === undefined) return undefined;
    const numbers: Record<string, number> = {};
    for (const n of await this.#query<{ grp: string; number: number }>('SELECT grp, number FROM nntp_numbers WHERE article = ?', [row.id])) numbers[n.grp] = Number(n.number);
    return { messageId: row.message_id, text: Buffer.from(row.body).toString('latin1'), arrived: Number(row.arrived), numbers };
  }

  async listGroups(): Promise<GroupInfo[]> {
    return (await this.#query<GroupRow>(`${GROUP_SELECT} ORDER BY g.name`)).map(toGroup);
  }

  async getGroup(name: string): Promise<GroupInfo | undefined> {
    const [row] = await this.#query<GroupRow>(`${GROUP_SELECT} WHERE g.name = ?`, [name]);
    return row === undefined ? undefined : toGroup(row);
  }

  async createGroup(name: string, options: { description?: string; posting?: 'y' | 'n' | 'm'; created?: number } = {}): Promise<GroupInfo> {
    await this.open();
    await this.pool.runOperation('INSERT OR IGNORE INTO nntp_groups (name, posting, description, created) VALUES (?, ?, ?, ?)', [name, options.posting ?? 'y', options.description ?? '', options.created ?? 0]);
    return (await this.getGroup(name))!;
  }

  async articleNumbers(group: string, low: number, high: number): Promise<number[]> {
    const rows = await this.#query<{ number: number }>('SELECT number FROM nntp_numbers WHERE grp = ? AND number BETWEEN ? AND ? ORDER BY number', [group, low, high]);
    return rows.map((r) => Number(r.number));
  }

  async articleByNumber(group: string, number: number): Promise<StoredArticle | undefined> {
    const [row] = await this.#query<ArticleRow>('SELECT a.id, a.message_id, a.body, a.arrived FROM nntp_numbers n JOIN nntp_articles a ON a.id = n.article WHERE n.grp = ? AND n.number = ?', [group, number]);
    return this.#article(row);
  }

  async articleByMessageId(messageId: string): Promise<StoredArticle | undefined> {
    const [row] = await this.#query<ArticleRow>('SELECT id, message_id, body, arrived FROM nntp_articles WHERE message_id = ?', [messageId]);
    return this.#article(row);
  }

  async overview(group: string, low: number, high: number): Promise<Array<Overview & { number: number }>> {
    const rows = await this.#query<{ number: number; subject: string; author: string; date: string; message_id: string; refs: string; bytes: number; lines: number }>(
      `SELECT n.number, a.subject, a.author, a.date, a.message_id, a.refs, a.bytes, a.lines FROM nntp_numbers n JOIN nntp_articles a ON a.id = n.article
       WHERE n.grp = ? AND n.number BETWEEN ? AND ? ORDER BY n.number`,
      [group, low, high],
    );
    return rows.map((r) => ({ number: Number(r.number), subject: r.subject, from: r.author, date: r.date, messageId: r.message_id, references: r.refs, bytes: Number(r.bytes), lines: Number(r.lines) }));
  }

  /** The OVER lines of the articles of `group` within `low..high`, ready to send (the fast path of OVER). */
  async overviewLines(group: string, low: number, high: number): Promise<string[]> {
    const rows = await this.#query<{ number: number; overview: string }>(
      'SELECT n.number, a.overview FROM nntp_numbers n JOIN nntp_articles a ON a.id = n.article WHERE n.grp = ? AND n.number BETWEEN ? AND ? ORDER BY n.number',
      [group, low, high],
    );
    return rows.map((r) => `${r.number}\t${r.overview}`);
  }

  async storeArticle(article: Article, text: string, arrived: number): Promise<StoredArticle> {
    await this.open();
    const messageId = headerValue(article, 'Message-ID') ?? '';
    const wanted = [...new Set(newsgroupsOf(headerValue(article, 'Newsgroups') ?? ''))];
    const o = overviewOf(text, article);
    return this.pool.runInteraction(async (txn) => {
      if ((await txn.query('SELECT 1 FROM nntp_articles WHERE message_id = ?', [messageId])).length > 0) throw new NNTPDuplicateArticleError(`${messageId} is already here`);
      const groups: string[] = [];
      for (const g of wanted) if ((await txn.query('SELECT 1 FROM nntp_groups WHERE name = ?', [g])).length > 0) groups.push(g);
      if (groups.length === 0) throw new NNTPNoSuchGroupError("none of the article's newsgroups is carried here");
      const { lastInsertRowid } = await txn.execute(
        'INSERT INTO nntp_articles (message_id, body, arrived, subject, author, date, refs, bytes, lines, overview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [messageId, Buffer.from(text, 'latin1'), arrived, o.subject, o.from, o.date, o.references, o.bytes, o.lines, overviewTail(o)],
      );
      const numbers: Record<string, number> = {};
      for (const g of groups) {
        await txn.execute('UPDATE nntp_groups SET high = high + 1 WHERE name = ?', [g]);
        const [{ high }] = (await txn.query<{ high: number }>('SELECT high FROM nntp_groups WHERE name = ?', [g])) as [{ high: number }];
        await txn.execute('INSERT INTO nntp_numbers (grp, number, article) VALUES (?, ?, ?)', [g, high, lastInsertRowid]);
        numbers[g] = Number(high);
      }
      return { messageId, text, arrived, numbers };
    });
  }

  /**
   * Files many articles in one transaction (a feed batch, an import): much faster than one
   * {@link storeArticle} each. Articles already present, repeated in the batch, or for no carried group
   * are skipped; the stored ones are returned.
   */
  async storeArticles(items: ReadonlyArray<{ article: Article; text: string; arrived: number }>): Promise<StoredArticle[]> {
    await this.open();
    return this.pool.runInteraction(async (txn) => {
      const highs = new Map<string, number>();
      for (const g of await txn.query<{ name: string; high: number }>('SELECT name, high FROM nntp_groups')) highs.set(g.name, Number(g.high));
      const [{ top }] = (await txn.query<{ top: number }>('SELECT COALESCE(MAX(id), 0) AS top FROM nntp_articles')) as [{ top: number }];
      let id = Number(top);
      const seen = new Set<string>();
      const ids = items.map((i) => headerValue(i.article, 'Message-ID') ?? '');
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        const rows = await txn.query<{ message_id: string }>(`SELECT message_id FROM nntp_articles WHERE message_id IN (${part.map(() => '?').join(',')})`, part);
        for (const r of rows) seen.add(r.message_id);
      }
      const articleRows: unknown[][] = [];
      const numberRows: unknown[][] = [];
      const stored: StoredArticle[] = [];
      items.forEach(({ article, text, arrived }, i) => {
        const messageId = ids[i]!;
        const groups = [...new Set(newsgroupsOf(headerValue(article, 'Newsgroups') ?? ''))].filter((g) => highs.has(g));
        if (seen.has(messageId) || groups.length === 0) return;
        seen.add(messageId);
        const o = overviewOf(text, article);
        articleRows.push([++id, messageId, Buffer.from(text, 'latin1'), arrived, o.subject, o.from, o.date, o.references, o.bytes, o.lines, overviewTail(o)]);
        const numbers: Record<string, number> = {};
        for (const g of groups) {
          const n = highs.get(g)! + 1;
          highs.set(g, n);
          numbers[g] = n;
          numberRows.push([g, n, id]);
        }
        stored.push({ messageId, text, arrived, numbers });
      });
      if (articleRows.length === 0) return stored;
      await txn.executeMany('INSERT INTO nntp_articles (id, message_id, body, arrived, subject, author, date, refs, bytes, lines, overview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', articleRows);
      await txn.executeMany('INSERT INTO nntp_numbers (grp, number, article) VALUES (?, ?, ?)', numberRows);
      await txn.executeMany('UPDATE nntp_groups SET high = ? WHERE name = ?', [...highs].map(([name, high]) => [high, name]));
      return stored;
    });
  }

  async newNews(wildmat: string, since: number): Promise<string[]> {
    const rows = await this.#query<{ message_id: string; grp: string }>(
      'SELECT a.message_id, n.grp FROM nntp_articles a JOIN nntp_numbers n ON n.article = a.id WHERE a.arrived >= ? ORDER BY a.id',
      [since],
    );
    const out = new Set<string>();
    for (const r of rows) if (wildmatMatch(wildmat, r.grp)) out.add(r.message_id);
    return [...out];
  }

  async close(): Promise<void> {
    if (this.#ownPool) await this.pool.close();
  }
}
