/**
 * The `ConnectionPool` tests every driver passes (SQLite and PostgreSQL). A {@link Dialect} says what
 * differs: placeholders, key columns, error codes, and how a test reaches inside a connection's worker.
 * @module
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred } from '../../defer/index.js';
import { Clock, eventually } from '../../testing/index.js';
import { WorkerCrashedError, type Task } from '../../threads/index.js';
import { ConnectionPool, ConnectionPoolClosedError, DatabaseError, TransactionClosedError, type PoolOptions, type Transaction } from '../index.js';

/** What differs between databases, for the shared suite. */
export interface Dialect {
  /** A fresh empty database (SQLite: a new file; PostgreSQL: a new schema); several pools may open it. */
  newDatabase(): Promise<string>;
  /** A pool on a database from `newDatabase`. */
  pool(db: string, options?: PoolOptions): ConnectionPool;
  /** Rewrites `?` placeholders into this database's style. */
  sql(text: string): string;
  /** The column type of an auto-numbered primary key. */
  serialKey: string;
  /** What `runOperation` reports as the last inserted id, given the id. */
  lastId(id: number): number | null;
  /** A query for a column that does not exist fails with this code and message. */
  undefinedColumn: { code: string; message: RegExp };
  /** A unique constraint violation's code. */
  uniqueViolation: string;
  /** True when the pool lets one writer in at a time. */
  serializesWriters: boolean;
  /** Appended to a SELECT that reads a row it will update. */
  forUpdate: string;
  /** An `openFun` after which `crashSql` kills the connection's worker mid-statement. */
  crash: { openFun: Task; sql: string };
  /** An `openFun` after which `sql` gives one row `{ w }`: the worker's thread id. */
  workerId: { openFun: Task; sql: string };
  /**
   * A statement that blocks until `release()`, giving `{ i: param + 1 }` (its one `?` is param), the
   * `openFun` it needs, if any, and what to undo once the statement has finished.
   */
  gate(): Promise<{ sql: string; openFun?: Task; release(): Promise<void>; dispose?(): void }>;
}

export async function rejection(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a failure');
}

/** Registers the shared tests, in a `describe` whose `before` makes the dialect and `after` disposes of it. */
export function connectionPoolSuite(name: string, setUp: () => Promise<Dialect>, tearDown: () => Promise<void>): void {
  describe(`ConnectionPool (${name})`, () => {
    let dialect: Dialect;
    const pools: ConnectionPool[] = [];
    const q = (text: string): string => dialect.sql(text);
    async function makePool(options: PoolOptions = {}, db?: string): Promise<ConnectionPool> {
      const pool = dialect.pool(db ?? (await dialect.newDatabase()), options);
      pools.push(pool);
      return pool;
    }
    before(async () => {
      dialect = await setUp();
    });
    after(async () => {
      for (const p of pools) await p.close();
      await tearDown();
    });

    async function withAccounts(pool: ConnectionPool): Promise<void> {
      await pool.runOperation(`CREATE TABLE accounts (id ${dialect.serialKey}, owner TEXT UNIQUE NOT NULL, balance INTEGER NOT NULL)`);
      await pool.runOperation("INSERT INTO accounts (owner, balance) VALUES ('ada', 100), ('bob', 50)");
    }
    const count = async (pool: ConnectionPool): Promise<number> =>
      (await pool.runQuery<{ n: number }>('SELECT CAST(count(*) AS INTEGER) AS n FROM accounts'))[0].n;

    test('runOperation gives changes (and the last id where the database has one); runQuery gives rows; positional parameters', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      const r = await pool.runOperation(q('INSERT INTO accounts (owner, balance) VALUES (?, ?)'), ['cy', 7]);
      assert.deepEqual(r, { changes: 1, lastInsertRowid: dialect.lastId(3) });
      const rows = await pool.runQuery<{ owner: string; balance: number }>(q('SELECT owner, balance FROM accounts WHERE balance < ? ORDER BY id'), [60]);
      assert.deepEqual(rows, [
        { owner: 'bob', balance: 50 },
        { owner: 'cy', balance: 7 },
      ]);
      const up = await pool.runOperation('UPDATE accounts SET balance = balance + 1');
      assert.equal(up.changes, 3);
      assert.deepEqual(await pool.runQuery(q('SELECT CAST(? AS INTEGER) AS a, CAST(? AS TEXT) AS b, CAST(? AS INTEGER) AS c'), [1, 'two', null]), [{ a: 1, b: 'two', c: null }]);
    });

    test('a SQL error is a DatabaseError naming the statement, with the database code, and the pool goes on', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      const e = await rejection(pool.runQuery('SELECT nonsense FROM accounts'));
      assert.ok(e instanceof DatabaseError, String(e));
      assert.match(e.message, dialect.undefinedColumn.message);
      assert.match(e.message, /SELECT nonsense FROM accounts/);
      assert.equal(e.sql, 'SELECT nonsense FROM accounts');
      assert.equal(e.driverCode, dialect.undefinedColumn.code);
      const dup = await rejection(pool.runOperation("INSERT INTO accounts (owner, balance) VALUES ('ada', 1)"));
      assert.ok(dup instanceof DatabaseError);
      assert.equal(dup.driverCode, dialect.uniqueViolation);
      assert.equal(await count(pool), 2);
    });

    test('runInteraction commits when the function resolves, and gives its result', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      const total = await pool.runInteraction(async (txn, amount: number) => {
        await txn.execute(q('UPDATE accounts SET balance = balance - ? WHERE owner = ?'), [amount, 'ada']);
        assert.equal(txn.rowcount, 1);
        await txn.execute(q('UPDATE accounts SET balance = balance + ? WHERE owner = ?'), [amount, 'bob']);
        const rows = await txn.query<{ s: number }>('SELECT CAST(sum(balance) AS INTEGER) AS s FROM accounts');
        return rows[0].s;
      }, 30);
      assert.equal(total, 150);
      assert.deepEqual(await pool.runQuery('SELECT owner, balance FROM accounts ORDER BY id'), [
        { owner: 'ada', balance: 70 },
        { owner: 'bob', balance: 80 },
      ]);
    });

    test('runInteraction rolls back when the function throws, and fails with its error', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      class Overdrawn extends Error {}
      const e = await rejection(
        pool.runInteraction(async (txn) => {
          await txn.execute("UPDATE accounts SET balance = balance - 500 WHERE owner = 'ada'");
          const [{ balance }] = await txn.query<{ balance: number }>("SELECT balance FROM accounts WHERE owner = 'ada'");
          if (balance < 0) throw new Overdrawn(`balance would be ${balance}`);
        }),
      );
      assert.ok(e instanceof Overdrawn);
      assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'ada'"), [{ balance: 100 }]);
    });

    test('a failing statement inside an interaction rolls back the earlier ones', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      const e = await rejection(
        pool.runInteraction(async (txn) => {
          await txn.executeMany(q('INSERT INTO accounts (owner, balance) VALUES (?, ?)'), [
            ['dee', 1],
            ['eve', 2],
          ]);
          await txn.execute("INSERT INTO accounts (owner, balance) VALUES ('ada', 3)");
        }),
      );
      assert.ok(e instanceof DatabaseError);
      assert.equal(e.driverCode, dialect.uniqueViolation);
      assert.deepEqual(await pool.runQuery('SELECT owner FROM accounts ORDER BY id'), [{ owner: 'ada' }, { owner: 'bob' }]);
    });

    test('statements after the interaction ended fail with TransactionClosedError', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      let kept: Transaction | undefined;
      await pool.runInteraction((txn) => {
        kept = txn;
      });
      const e = await rejection(kept!.execute('SELECT 1'));
      assert.ok(e instanceof TransactionClosedError);
    });

    test('an open transaction is invisible to readers, who run in parallel; writers wait where the database has one writer', async () => {
      const pool = await makePool({ max: 3 });
      await withAccounts(pool);
      const inside = new Deferred<void>();
      const proceed = new Deferred<void>();
      const interaction = pool.runInteraction(async (txn) => {
        await txn.execute("UPDATE accounts SET balance = 0 WHERE owner = 'ada'");
        inside.callback(undefined);
        await proceed;
      });
      await inside;
      assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'ada'"), [{ balance: 100 }], 'read during the transaction');
      let written = false;
      const write = pool.runOperation("UPDATE accounts SET balance = balance + 1 WHERE owner = 'bob'").addCallback((r) => {
        written = true;
        return r;
      });
      if (dialect.serializesWriters) {
        assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'bob'"), [{ balance: 50 }]);
        assert.equal(written, false, 'the writer waits for the open transaction');
      } else {
        await write;
        assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'bob'"), [{ balance: 51 }], 'a writer of another row goes ahead');
      }
      proceed.callback(undefined);
      await interaction;
      await write;
      assert.deepEqual(await pool.runQuery('SELECT owner, balance FROM accounts ORDER BY id'), [
        { owner: 'ada', balance: 0 },
        { owner: 'bob', balance: 51 },
      ]);
    });

    test('concurrent read-modify-write interactions do not lose updates', async () => {
      const pool = await makePool({ max: 4 });
      await withAccounts(pool);
      const bump = async (txn: Transaction): Promise<void> => {
        const [{ balance }] = await txn.query<{ balance: number }>(`SELECT balance FROM accounts WHERE owner = 'bob'${dialect.forUpdate}`);
        await new Promise((resolve) => setImmediate(resolve));
        await txn.execute(q("UPDATE accounts SET balance = ? WHERE owner = 'bob'"), [balance + 1]);
      };
      await Promise.all(Array.from({ length: 10 }, () => pool.runInteraction(bump)));
      assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'bob'"), [{ balance: 60 }]);
    });

    test('a worker killed mid-transaction fails only that interaction and loses no committed data', async () => {
      const pool = await makePool({ max: 2, openFun: dialect.crash.openFun });
      await withAccounts(pool);
      const next = new Deferred<void>();
      const crashing = pool.runInteraction(async (txn) => {
        await txn.execute("INSERT INTO accounts (owner, balance) VALUES ('mallory', 1000000)");
        next.callback(undefined);
        await txn.query(dialect.crash.sql);
      });
      await next;
      const queuedBehind = pool.runInteraction(async (txn) => {
        await txn.execute("UPDATE accounts SET balance = balance + 5 WHERE owner = 'bob'");
        return 'ok';
      });
      const e = await rejection(crashing);
      assert.ok(e instanceof WorkerCrashedError, String(e));
      assert.equal(e.exitCode, 9);
      assert.equal(await queuedBehind, 'ok');
      assert.deepEqual(await pool.runQuery('SELECT owner, balance FROM accounts ORDER BY id'), [
        { owner: 'ada', balance: 100 },
        { owner: 'bob', balance: 55 },
      ]);
      await pool.runOperation("INSERT INTO accounts (owner, balance) VALUES ('cy', 1)");
      await eventually(() => pool.stats.connections <= 2, { timeout: 60, message: 'the dead connection to be dropped' });
    });

    test('the data survives closing the pool and opening another', async () => {
      const db = await dialect.newDatabase();
      const first = dialect.pool(db);
      await first.runOperation('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
      await first.runInteraction((txn) => txn.executeMany(q('INSERT INTO kv VALUES (?, ?)'), [['a', '1'], ['b', '2']]));
      await first.close();
      const second = await makePool({}, db);
      assert.deepEqual(await second.runQuery('SELECT * FROM kv ORDER BY k'), [{ k: 'a', v: '1' }, { k: 'b', v: '2' }]);
    });

    test('max bounds the connections; each is a worker of its own', async () => {
      const pool = await makePool({ min: 0, max: 2, openFun: dialect.workerId.openFun });
      const results = await Promise.all(Array.from({ length: 8 }, () => pool.runQuery<{ w: number }>(dialect.workerId.sql)));
      assert.ok(pool.stats.connections <= 2);
      const workers = new Set(results.map((r) => r[0].w));
      assert.ok(workers.size >= 1 && workers.size <= 2);
      for (const w of workers) assert.ok(w > 0, 'runs off the main thread');
    });

    test('single statements are pipelined on a busy connection; an interaction waiting is not starved', async () => {
      const gate = await dialect.gate();
      const pool = await makePool({ max: 1, openFun: gate.openFun });
      await withAccounts(pool);
      const order: string[] = [];
      const query = (sql: string, i: number) =>
        pool.runQuery<{ i: number }>(q(sql), [i]).addCallback((rows) => {
          order.push(`q${rows[0].i}`);
          return rows;
        });
      const early = [query(gate.sql, 0), ...[2, 3, 4, 5].map((i) => query('SELECT CAST(? AS INTEGER) AS i', i))];
      assert.equal(pool.stats.inUse, 5, 'all five share the one connection');
      assert.equal(pool.stats.waiting, 0);
      const txn = pool.runInteraction(async (t) => {
        order.push('txn');
        await t.query('SELECT 1');
      });
      await eventually(() => pool.stats.waiting === 1, { timeout: 60, message: 'the interaction to queue' });
      const late = [6, 7].map((i) => query('SELECT CAST(? AS INTEGER) AS i', i));
      assert.equal(pool.stats.waiting, 3, 'later statements queue behind the interaction');
      await gate.release();
      await Promise.all([...early, txn, ...late]);
      gate.dispose?.();
      assert.deepEqual(order, ['q1', 'q2', 'q3', 'q4', 'q5', 'txn', 'q6', 'q7']);
      assert.equal(pool.stats.connections, 1);
    });

    test('start() opens min connections; idle ones above min close after idleTimeout (fake clock)', async () => {
      const clock = new Clock();
      const pool = await makePool({ min: 1, max: 3, idleTimeout: 30, clock });
      await pool.start();
      assert.deepEqual(pool.stats, { connections: 1, idle: 1, inUse: 0, waiting: 0 });
      const inside = new Deferred<void>();
      const proceed = new Deferred<void>();
      const held = pool.runInteraction(async () => {
        inside.callback(undefined);
        await proceed;
      });
      await inside;
      await Promise.all([pool.runQuery('SELECT 1'), pool.runQuery('SELECT 2')]);
      proceed.callback(undefined);
      await held;
      assert.ok(pool.stats.connections >= 2);
      clock.advance(30);
      await eventually(() => pool.stats.connections === 1, { timeout: 60, message: 'idle connections to close' });
      assert.deepEqual(await pool.runQuery('SELECT 3 AS x'), [{ x: 3 }]);
    });

    test('cancelling an interaction that waits for a connection: it never runs', async () => {
      const pool = await makePool({ max: 1 });
      await withAccounts(pool);
      const proceed = new Deferred<void>();
      const first = pool.runInteraction(() => proceed);
      let ran = false;
      const second = pool.runInteraction(() => {
        ran = true;
      });
      second.cancel();
      assert.ok((await rejection(second)) instanceof CancelledError);
      proceed.callback(undefined);
      await first;
      await pool.runOperation('SELECT 1');
      assert.equal(ran, false);
    });

    test('cancelling a running interaction rolls it back', async () => {
      const pool = await makePool();
      await withAccounts(pool);
      const inside = new Deferred<void>();
      const proceed = new Deferred<void>();
      const d = pool.runInteraction(async (txn) => {
        await txn.execute("DELETE FROM accounts WHERE owner = 'ada'");
        inside.callback(undefined);
        await proceed;
      });
      await inside;
      d.cancel();
      assert.ok((await rejection(d)) instanceof CancelledError);
      proceed.callback(undefined);
      await pool.runOperation('SELECT 1');
      assert.equal(await count(pool), 2);
    });

    test('close() lets running work finish, fails waiting work, refuses new work', async () => {
      const db = await dialect.newDatabase();
      const pool = await makePool({ max: 1 }, db);
      await withAccounts(pool);
      const inside = new Deferred<void>();
      const proceed = new Deferred<void>();
      const running = pool.runInteraction(async (txn) => {
        inside.callback(undefined);
        await proceed;
        await txn.execute("UPDATE accounts SET balance = 1 WHERE owner = 'ada'");
        return 'finished';
      });
      await inside;
      const waiting = pool.runQuery('SELECT 1');
      const waitingWriter = pool.runOperation('DELETE FROM accounts');
      let closed = false;
      const closing = pool.close().addCallback(() => {
        closed = true;
      });
      assert.ok((await rejection(waiting)) instanceof ConnectionPoolClosedError);
      assert.ok((await rejection(waitingWriter)) instanceof ConnectionPoolClosedError);
      assert.ok((await rejection(pool.runQuery('SELECT 1'))) instanceof ConnectionPoolClosedError);
      assert.equal(closed, false);
      proceed.callback(undefined);
      assert.equal(await running, 'finished');
      await closing;
      assert.equal(pool.stats.connections, 0);
      const reopened = await makePool({}, db);
      assert.deepEqual(await reopened.runQuery("SELECT balance FROM accounts WHERE owner = 'ada'"), [{ balance: 1 }]);
    });
  });
}
