import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, Deferred } from '../defer/index.js';
import { Clock } from '../testing/index.js';
import { WorkerCrashedError, exposeToThreads, task, unexposeToThreads } from '../threads/index.js';
import { ConnectionPool, ConnectionPoolClosedError, DatabaseError, TransactionClosedError, type Transaction } from './index.js';

const SETUP = new URL('./test-support/setup.js', import.meta.url);

async function rejection(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a failure');
}

/** Waits until `check()` holds, on later turns (for effects in other threads, not for time). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ConnectionPool (sqlite)', () => {
  let dir: string;
  const pools: ConnectionPool[] = [];
  let n = 0;
  function filePool(options: Partial<ConstructorParameters<typeof ConnectionPool>[1]> = {}): ConnectionPool {
    const pool = new ConnectionPool('sqlite', { filename: join(dir, `db${++n}.sqlite`), ...options });
    pools.push(pool);
    return pool;
  }
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-db-'));
  });
  after(async () => {
    for (const p of pools) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function withAccounts(pool: ConnectionPool): Promise<void> {
    await pool.runOperation('CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT UNIQUE NOT NULL, balance INTEGER NOT NULL)');
    await pool.runOperation("INSERT INTO accounts (owner, balance) VALUES ('ada', 100), ('bob', 50)");
  }

  test('runOperation gives changes and last id; runQuery gives rows; positional and named parameters', async () => {
    const pool = filePool();
    await withAccounts(pool);
    const r = await pool.runOperation('INSERT INTO accounts (owner, balance) VALUES (?, ?)', ['cy', 7]);
    assert.deepEqual(r, { changes: 1, lastInsertRowid: 3 });
    const rows = await pool.runQuery<{ owner: string; balance: number }>('SELECT owner, balance FROM accounts WHERE balance < :max ORDER BY id', { max: 60 });
    assert.deepEqual(rows, [
      { owner: 'bob', balance: 50 },
      { owner: 'cy', balance: 7 },
    ]);
    const up = await pool.runOperation('UPDATE accounts SET balance = balance + 1');
    assert.equal(up.changes, 3);
  });

  test('files are opened in WAL mode', async () => {
    const pool = filePool();
    assert.deepEqual(await pool.runQuery('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  });

  test('a SQL error is a DatabaseError naming the statement, and the pool goes on', async () => {
    const pool = filePool();
    await withAccounts(pool);
    const e = await rejection(pool.runQuery('SELECT nonsense FROM accounts'));
    assert.ok(e instanceof DatabaseError, String(e));
    assert.match(e.message, /no such column: nonsense/);
    assert.match(e.message, /SELECT nonsense FROM accounts/);
    assert.equal(e.sql, 'SELECT nonsense FROM accounts');
    assert.equal(e.code, 'SQLITE_ERROR');
    const dup = await rejection(pool.runOperation("INSERT INTO accounts (owner, balance) VALUES ('ada', 1)"));
    assert.ok(dup instanceof DatabaseError);
    assert.equal(dup.code, 'SQLITE_CONSTRAINT_UNIQUE');
    assert.equal((await pool.runQuery('SELECT count(*) AS n FROM accounts'))[0].n, 2);
  });

  test('runInteraction commits when the function resolves, and gives its result', async () => {
    const pool = filePool();
    await withAccounts(pool);
    const total = await pool.runInteraction(async (txn, amount: number) => {
      await txn.execute('UPDATE accounts SET balance = balance - ? WHERE owner = ?', [amount, 'ada']);
      assert.equal(txn.rowcount, 1);
      await txn.execute('UPDATE accounts SET balance = balance + ? WHERE owner = ?', [amount, 'bob']);
      const rows = await txn.query<{ s: number }>('SELECT sum(balance) AS s FROM accounts');
      return rows[0].s;
    }, 30);
    assert.equal(total, 150);
    assert.deepEqual(await pool.runQuery('SELECT owner, balance FROM accounts ORDER BY id'), [
      { owner: 'ada', balance: 70 },
      { owner: 'bob', balance: 80 },
    ]);
  });

  test('runInteraction rolls back when the function throws, and fails with its error', async () => {
    const pool = filePool();
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
    const pool = filePool();
    await withAccounts(pool);
    const e = await rejection(
      pool.runInteraction(async (txn) => {
        await txn.executeMany('INSERT INTO accounts (owner, balance) VALUES (?, ?)', [
          ['dee', 1],
          ['eve', 2],
        ]);
        await txn.execute("INSERT INTO accounts (owner, balance) VALUES ('ada', 3)");
      }),
    );
    assert.ok(e instanceof DatabaseError);
    assert.equal(e.code, 'SQLITE_CONSTRAINT_UNIQUE');
    assert.deepEqual(await pool.runQuery('SELECT owner FROM accounts ORDER BY id'), [{ owner: 'ada' }, { owner: 'bob' }]);
  });

  test('statements after the interaction ended fail with TransactionClosedError', async () => {
    const pool = filePool();
    await withAccounts(pool);
    let kept: Transaction | undefined;
    await pool.runInteraction((txn) => {
      kept = txn;
    });
    const e = await rejection(kept!.execute('SELECT 1'));
    assert.ok(e instanceof TransactionClosedError);
  });

  test('an open transaction is invisible to readers, who run in parallel; writers wait for it', async () => {
    const pool = filePool({ max: 3 });
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
    assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'bob'"), [{ balance: 50 }]);
    assert.equal(written, false, 'the writer waits for the open transaction');
    proceed.callback(undefined);
    await interaction;
    await write;
    assert.deepEqual(await pool.runQuery('SELECT owner, balance FROM accounts ORDER BY id'), [
      { owner: 'ada', balance: 0 },
      { owner: 'bob', balance: 51 },
    ]);
  });

  test('concurrent read-modify-write interactions do not lose updates', async () => {
    const pool = filePool({ max: 4 });
    await withAccounts(pool);
    const bump = async (txn: Transaction): Promise<void> => {
      const [{ balance }] = await txn.query<{ balance: number }>("SELECT balance FROM accounts WHERE owner = 'bob'");
      await new Promise((resolve) => setImmediate(resolve));
      await txn.execute("UPDATE accounts SET balance = ? WHERE owner = 'bob'", [balance + 1]);
    };
    await Promise.all(Array.from({ length: 10 }, () => pool.runInteraction(bump)));
    assert.deepEqual(await pool.runQuery("SELECT balance FROM accounts WHERE owner = 'bob'"), [{ balance: 60 }]);
  });

  test('a worker killed mid-transaction fails only that interaction and loses no committed data', async () => {
    const pool = filePool({ max: 2, openFun: task(SETUP, 'addCrashFunction') });
    await withAccounts(pool);
    const next = new Deferred<void>();
    const crashing = pool.runInteraction(async (txn) => {
      await txn.execute("INSERT INTO accounts (owner, balance) VALUES ('mallory', 1000000)");
      next.callback(undefined);
      await txn.query('SELECT crash()');
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
    await until(() => pool.stats.connections <= 2, 'the dead connection to be dropped');
  });

  test('the data survives reopening the database file', async () => {
    const filename = join(dir, 'reopen.sqlite');
    const first = new ConnectionPool('sqlite', { filename });
    await first.runOperation('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
    await first.runInteraction((txn) => txn.executeMany('INSERT INTO kv VALUES (?, ?)', [['a', '1'], ['b', '2']]));
    await first.close();
    const second = filePool({ filename });
    assert.deepEqual(await second.runQuery('SELECT * FROM kv ORDER BY k'), [{ k: 'a', v: '1' }, { k: 'b', v: '2' }]);
  });

  test('max bounds the connections; each is a worker of its own', async () => {
    const pool = filePool({ min: 0, max: 2, openFun: task(SETUP, 'addWorkerId') });
    await withAccounts(pool);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.runQuery<{ w: number }>('SELECT worker_id() AS w')));
    assert.ok(pool.stats.connections <= 2);
    const workers = new Set(results.map((r) => r[0].w));
    assert.ok(workers.size >= 1 && workers.size <= 2);
    for (const w of workers) assert.ok(w > 0, 'runs off the main thread');
  });

  test('single statements are pipelined on a busy connection; an interaction waiting is not starved', async () => {
    const pool = filePool({ max: 1, openFun: task(SETUP, 'addMainWait') });
    await withAccounts(pool);
    const gate = new Deferred<number>();
    exposeToThreads('test.gate', () => gate);
    const order: string[] = [];
    const query = (sql: string, i: number) =>
      pool.runQuery<{ i: number }>(sql, [i]).addCallback((rows) => {
        order.push(`q${rows[0].i}`);
        return rows;
      });
    const early = [query("SELECT wait_main('test.gate') + ? AS i", 0), ...[2, 3, 4, 5].map((i) => query('SELECT ? AS i', i))];
    assert.equal(pool.stats.inUse, 5, 'all five share the one connection');
    assert.equal(pool.stats.waiting, 0);
    const txn = pool.runInteraction(async (t) => {
      order.push('txn');
      await t.query('SELECT 1');
    });
    await until(() => pool.stats.waiting === 1, 'the interaction to queue');
    const late = [6, 7].map((i) => query('SELECT ? AS i', i));
    assert.equal(pool.stats.waiting, 3, 'later statements queue behind the interaction');
    gate.callback(1);
    await Promise.all([...early, txn, ...late]);
    unexposeToThreads('test.gate');
    assert.deepEqual(order, ['q1', 'q2', 'q3', 'q4', 'q5', 'txn', 'q6', 'q7']);
    assert.equal(pool.stats.connections, 1);
  });

  test('start() opens min connections; idle ones above min close after idleTimeout (fake clock)', async () => {
    const clock = new Clock();
    const pool = filePool({ min: 1, max: 3, idleTimeout: 30, clock });
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
    await until(() => pool.stats.connections === 1, 'idle connections to close');
    assert.deepEqual(await pool.runQuery('SELECT 3 AS x'), [{ x: 3 }]);
  });

  test(':memory: uses a single connection, so the database persists across calls', async () => {
    const pool = new ConnectionPool('sqlite', { filename: ':memory:', max: 4 });
    pools.push(pool);
    await pool.runOperation('CREATE TABLE t (x)');
    await Promise.all([1, 2, 3].map((x) => pool.runOperation('INSERT INTO t VALUES (?)', [x])));
    const counts = await Promise.all([pool.runQuery('SELECT count(*) AS n FROM t'), pool.runQuery('SELECT count(*) AS n FROM t')]);
    assert.deepEqual(counts, [[{ n: 3 }], [{ n: 3 }]]);
    assert.equal(pool.stats.connections, 1);
  });

  test('cancelling an interaction that waits for the writer lock: it never runs', async () => {
    const pool = filePool();
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
    const pool = filePool();
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
    assert.equal((await pool.runQuery('SELECT count(*) AS n FROM accounts'))[0].n, 2);
  });

  test('close() lets running work finish, fails waiting work, refuses new work', async () => {
    const filename = join(dir, 'close.sqlite');
    const pool = filePool({ filename, max: 1 });
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
    const reopened = filePool({ filename });
    assert.deepEqual(await reopened.runQuery("SELECT balance FROM accounts WHERE owner = 'ada'"), [{ balance: 1 }]);
  });

  test('options are checked', () => {
    assert.throws(() => new ConnectionPool('nosuch' as 'sqlite', { filename: 'x' }), TypeError);
    assert.throws(() => new ConnectionPool('sqlite', { filename: 'x', min: 3, max: 2 }), RangeError);
    assert.throws(() => new ConnectionPool('sqlite', {} as { filename: string }), TypeError);
  });
});
