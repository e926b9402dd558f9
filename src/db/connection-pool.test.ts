import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from '../defer/index.js';
import { exposeToThreads, task, unexposeToThreads } from '../threads/index.js';
import { ConnectionPool } from './index.js';
import { connectionPoolSuite, type Dialect } from './test-support/pool-suite.js';

const SETUP = new URL('./test-support/setup.js', import.meta.url);

let dir: string | undefined;
let n = 0;
const sqlite: Dialect = {
  async newDatabase() {
    dir ??= mkdtempSync(join(tmpdir(), 'torsion-db-'));
    return join(dir, `db${++n}.sqlite`);
  },
  pool: (filename, options) => new ConnectionPool('sqlite', { filename, ...options }),
  sql: (text) => text,
  serialKey: 'INTEGER PRIMARY KEY',
  lastId: (id) => id,
  undefinedColumn: { code: 'SQLITE_ERROR', message: /no such column: nonsense/ },
  uniqueViolation: 'SQLITE_CONSTRAINT_UNIQUE',
  serializesWriters: true,
  forUpdate: '',
  crash: { openFun: task(SETUP, 'addCrashFunction'), sql: 'SELECT crash()' },
  workerId: { openFun: task(SETUP, 'addWorkerId'), sql: 'SELECT worker_id() AS w' },
  async gate() {
    const gate = new Deferred<number>();
    exposeToThreads('test.gate', () => gate);
    return {
      sql: "SELECT wait_main('test.gate') + ? AS i",
      openFun: task(SETUP, 'addMainWait'),
      async release() {
        gate.callback(1);
      },
      // Only once the statement is done: the worker may not have asked for the gate yet at release.
      dispose() {
        unexposeToThreads('test.gate');
      },
    };
  },
};

connectionPoolSuite(
  'sqlite',
  async () => sqlite,
  async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
);

describe('ConnectionPool (sqlite only)', () => {
  const pools: ConnectionPool[] = [];
  const pool = async (options: { max?: number } = {}): Promise<ConnectionPool> => {
    const p = sqlite.pool(await sqlite.newDatabase(), options);
    pools.push(p);
    return p;
  };
  after(async () => {
    for (const p of pools) await p.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test('named parameters (:name, @name, $name)', async () => {
    const p = await pool();
    await p.runOperation('CREATE TABLE t (a INTEGER, b TEXT)');
    await p.runOperation('INSERT INTO t VALUES (:a, @b)', { a: 1, b: 'one' });
    assert.deepEqual(await p.runQuery('SELECT * FROM t WHERE a = $a', { a: 1 }), [{ a: 1, b: 'one' }]);
  });

  test('files are opened in WAL mode', async () => {
    const p = await pool();
    assert.deepEqual(await p.runQuery('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  });

  test(':memory: uses a single connection, so the database persists across calls', async () => {
    const p = new ConnectionPool('sqlite', { filename: ':memory:', max: 4 });
    pools.push(p);
    await p.runOperation('CREATE TABLE t (x)');
    await Promise.all([1, 2, 3].map((x) => p.runOperation('INSERT INTO t VALUES (?)', [x])));
    const counts = await Promise.all([p.runQuery('SELECT count(*) AS n FROM t'), p.runQuery('SELECT count(*) AS n FROM t')]);
    assert.deepEqual(counts, [[{ n: 3 }], [{ n: 3 }]]);
    assert.equal(p.stats.connections, 1);
  });

  test('options are checked', () => {
    assert.throws(() => new ConnectionPool('nosuch' as 'sqlite', { filename: 'x' }), TypeError);
    assert.throws(() => new ConnectionPool('sqlite', { filename: 'x', min: 3, max: 2 }), RangeError);
    assert.throws(() => new ConnectionPool('sqlite', {} as { filename: string }), TypeError);
  });
});
