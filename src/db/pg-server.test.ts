// What only PostgreSQL has: Unix-socket connections, positional parameters only, and a server that
// restarts under the pool. A throwaway server (Debian's `postgresql` package) of its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { task } from '../threads/index.js';
import { ConnectionPool, DatabaseError, type PoolOptions } from './index.js';
import { rejection } from './test-support/pool-suite.js';
import { newSchema, poolOptions, server, started, stopPostgres } from './test-support/pg-fixture.js';

const SETUP = new URL('./test-support/pg-setup.js', import.meta.url);

after(stopPostgres);

describe('ConnectionPool (pg only)', () => {
  const pools: ConnectionPool[] = [];
  async function pool(options: PoolOptions = {}): Promise<ConnectionPool> {
    const p = new ConnectionPool('pg', poolOptions(await newSchema(), options));
    pools.push(p);
    return p;
  }
  before(started);
  after(async () => {
    for (const p of pools) await p.close();
  });

  test('connects over the Unix socket as well as TCP', async () => {
    const p = new ConnectionPool('pg', { ...server!.socketOptions });
    pools.push(p);
    const [{ addr }] = await p.runQuery<{ addr: string | null }>('SELECT host(inet_client_addr()) AS addr');
    assert.equal(addr, null, 'a Unix-socket session has no client address');
    const tcp = await pool();
    assert.deepEqual(await tcp.runQuery('SELECT host(inet_client_addr()) AS addr'), [{ addr: '127.0.0.1' }]);
  });

  test('named parameters are refused with a message saying to use $1, $2, ...; the pool goes on', async () => {
    const p = await pool();
    const e = await rejection(p.runQuery('SELECT :a AS a', { a: 1 }));
    assert.ok(e instanceof DatabaseError, String(e));
    assert.match(e.message, /positional parameters \(\$1, \$2, \.\.\.\)/);
    assert.deepEqual(await p.runQuery('SELECT CAST($1 AS INTEGER) AS a', [1]), [{ a: 1 }]);
  });

  test('after the server restarts, idle connections reconnect (openFun again) and the next statements succeed', async () => {
    const p = await pool({ min: 2, max: 2, openFun: task(SETUP, 'setWorkerId') });
    await p.start();
    const sql = "SELECT pg_backend_pid() AS pid, CAST(current_setting('torsion.worker_id') AS INTEGER) AS w";
    const before = await Promise.all([p.runQuery<{ pid: number; w: number }>(sql), p.runQuery<{ pid: number; w: number }>(sql)]);
    await server!.halt();
    await server!.resume();
    const after = await Promise.all([p.runQuery<{ pid: number; w: number }>(sql), p.runQuery<{ pid: number; w: number }>(sql)]);
    const pids = (rows: { pid: number }[][]) => new Set(rows.map((r) => r[0].pid));
    for (const pid of pids(after)) assert.ok(!pids(before).has(pid), 'new server sessions');
    for (const [r] of after) assert.ok(r.w > 0, 'openFun ran on the new session');
    assert.equal(p.stats.connections, 2, 'the same connections (workers), reconnected');
    await p.runOperation('CREATE TABLE t (x INTEGER)');
    assert.equal((await p.runOperation('INSERT INTO t VALUES (1), (2)')).changes, 2);
  });

  test('a restart during a transaction fails that interaction (SQLSTATE 08006), commits none of it, and the pool goes on', async () => {
    const p = await pool({ max: 1 });
    await p.runOperation('CREATE TABLE t (x INTEGER)');
    const inside = new Deferred<void>();
    const proceed = new Deferred<void>();
    const interaction = p.runInteraction(async (txn) => {
      await txn.execute('INSERT INTO t VALUES (1)');
      inside.callback(undefined);
      await proceed;
      await txn.execute('INSERT INTO t VALUES (2)');
    });
    await inside;
    await server!.halt();
    await server!.resume();
    proceed.callback(undefined);
    const e = await rejection(interaction);
    assert.ok(e instanceof DatabaseError, String(e));
    assert.equal(e.driverCode, '08006');
    assert.match(e.message, /lost during the transaction/);
    assert.deepEqual(await p.runQuery('SELECT x FROM t'), [], 'nothing of the interaction was committed');
    await p.runInteraction((txn) => txn.execute('INSERT INTO t VALUES (3)'));
    assert.deepEqual(await p.runQuery('SELECT x FROM t'), [{ x: 3 }]);
  });

  test('while the server is down statements fail with a connection error; once it is back they succeed', async () => {
    const p = await pool({ max: 1 });
    assert.deepEqual(await p.runQuery('SELECT 1 AS x'), [{ x: 1 }]);
    await server!.halt();
    try {
      const e = await rejection(p.runQuery('SELECT 2 AS x'));
      assert.ok(e instanceof DatabaseError, String(e));
      assert.match(e.message, /ECONNREFUSED|connect|terminat/i);
    } finally {
      await server!.resume();
    }
    assert.deepEqual(await p.runQuery('SELECT 3 AS x'), [{ x: 3 }]);
  });
});
