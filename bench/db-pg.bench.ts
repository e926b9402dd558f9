/**
 * `torsion/db` on PostgreSQL: 1-row SELECT round trips through the pool (a connection in a worker) against
 * a `pg.Client` on the main thread, on a throwaway server (Debian's `postgresql` package) started here.
 */
import pg from 'pg';
import { ConnectionPool } from '../src/db/index.js';
import { PostgresServer } from '../src/db/test-support/postgres-server.js';
import { opsPerSecond, type BenchCase } from './harness.js';

const SELECT = 'SELECT id, name, score FROM people WHERE id = $1';
const IN_FLIGHT = 16;

export default async function pgBench(): Promise<BenchCase[]> {
  const server = await PostgresServer.start();
  const direct = new pg.Client(server.tcpOptions);
  const pool = new ConnectionPool('pg', { ...server.tcpOptions, min: 2, max: 2 });
  try {
    await direct.connect();
    await direct.query('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
    await direct.query("INSERT INTO people SELECT i, 'person ' || i, i / 7.0 FROM generate_series(1, 1000) AS i");
    await pool.start();
    let id = 0;
    const nextId = (): number => (id = (id % 1000) + 1);
    const poolSerial = await opsPerSecond(() => pool.runQuery(SELECT, [nextId()]), 1, 1);
    const directSerial = await opsPerSecond(() => direct.query(SELECT, [nextId()]), 1, 1);
    const batch = <T>(fn: () => PromiseLike<T>) => () => Promise.all(Array.from({ length: IN_FLIGHT }, fn));
    const poolBatch = await opsPerSecond(batch(() => pool.runQuery(SELECT, [nextId()])), IN_FLIGHT, 1);
    const directBatch = await opsPerSecond(batch(() => direct.query(SELECT, [nextId()])), IN_FLIGHT, 1);
    return [
      {
        name: 'pg: runQuery 1-row SELECT, 1 in flight',
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: poolSerial, unit: 'ops/s' },
          { subject: 'pg.Client on main thread', value: directSerial, unit: 'ops/s' },
        ],
      },
      {
        name: `pg: runQuery 1-row SELECT, ${IN_FLIGHT} in flight (2 connections / 1 client)`,
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: poolBatch, unit: 'ops/s' },
          { subject: 'pg.Client on main thread', value: directBatch, unit: 'ops/s' },
        ],
      },
    ];
  } finally {
    await pool.close();
    await direct.end().catch(() => {});
    await server.stop();
  }
}
