/**
 * `torsion/db` (SQLite): 1-row SELECT round trips against better-sqlite3 called on the main thread and
 * against a bare worker doing the same; and the main loop's timer lag during a 10,000-row insert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ConnectionPool } from '../src/db/index.js';
import { opsPerSecond, type BenchCase } from './harness.js';
import { measureLag } from './support/main-loop-lag.js';

const SELECT = 'SELECT id, name, score FROM people WHERE id = ?';
const INSERT = 'INSERT INTO bulk (name, score) VALUES (?, ?)';
const ROWS = 10_000;
const IN_FLIGHT = 32;

/** A bare worker answering `{ id, sql, params }` with `{ id, rows }`. */
function bareWorker(filename: string) {
  const worker = new Worker(new URL('./support/sqlite-bare-worker.mjs', import.meta.url), { workerData: { filename } });
  const pending = new Map<number, (rows: unknown[]) => void>();
  let next = 0;
  worker.on('message', (m: { id: number; rows: unknown[] }) => {
    pending.get(m.id)!(m.rows);
    pending.delete(m.id);
  });
  return {
    query: (sql: string, params: unknown[]) =>
      new Promise<unknown[]>((resolve) => {
        pending.set(++next, resolve);
        worker.postMessage({ id: next, sql, params });
      }),
    close: () => worker.terminate(),
  };
}

export default async function dbBench(): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-db-bench-'));
  const filename = join(dir, 'bench.sqlite');
  const direct = new Database(filename);
  direct.pragma('journal_mode = WAL');
  direct.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score REAL); CREATE TABLE bulk (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
  const fill = direct.prepare('INSERT INTO people (name, score) VALUES (?, ?)');
  direct.transaction(() => {
    for (let i = 0; i < 1000; i++) fill.run(`person ${i}`, i / 7);
  })();
  const pool = new ConnectionPool('sqlite', { filename, min: 2, max: 2 });
  await pool.start();
  const bare = bareWorker(filename);
  const select = direct.prepare(SELECT);
  const rows = Array.from({ length: ROWS }, (_, i) => [`row ${i}`, i * 1.5]);
  const insert = direct.prepare(INSERT);
  let id = 0;
  const nextId = (): number => (id = (id % 1000) + 1);
  try {
    const poolSerial = await opsPerSecond(() => pool.runQuery(SELECT, [nextId()]), 1, 2);
    const directSerial = await opsPerSecond(() => select.all(nextId()), 1, 2);
    const bareSerial = await opsPerSecond(() => bare.query(SELECT, [nextId()]), 1, 2);
    const batch = <T>(fn: () => PromiseLike<T>) => () => Promise.all(Array.from({ length: IN_FLIGHT }, fn));
    const poolBatch = await opsPerSecond(batch(() => pool.runQuery(SELECT, [nextId()])), IN_FLIGHT, 2);
    const bareBatch = await opsPerSecond(batch(() => bare.query(SELECT, [nextId()])), IN_FLIGHT, 2);

    const viaPool = await measureLag(() => pool.runInteraction((txn) => txn.executeMany(INSERT, rows)).asPromise(), 5);
    const onMain = await measureLag(async () => {
      direct.transaction(() => {
        for (const r of rows) insert.run(...r);
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }, 5);

    return [
      {
        name: 'runQuery 1-row SELECT, 1 in flight',
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: poolSerial, unit: 'ops/s' },
          { subject: 'better-sqlite3 on main thread', value: directSerial, unit: 'ops/s' },
          { subject: 'bare worker', value: bareSerial, unit: 'ops/s' },
        ],
      },
      {
        name: `runQuery 1-row SELECT, ${IN_FLIGHT} in flight (2 connections / 1 bare worker)`,
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: poolBatch, unit: 'ops/s' },
          { subject: 'bare worker', value: bareBatch, unit: 'ops/s' },
        ],
      },
      {
        name: `${ROWS}-row insert in one transaction: time`,
        higherIsBetter: false,
        measurements: [
          { subject: 'torsion', value: viaPool.seconds * 1000, unit: 'ms' },
          { subject: 'better-sqlite3 on main thread', value: onMain.seconds * 1000, unit: 'ms' },
        ],
      },
      {
        name: `${ROWS}-row insert: main-loop timer lag p99`,
        higherIsBetter: false,
        goal: 'main loop stays responsive',
        measurements: [
          { subject: 'torsion', value: viaPool.lagP99, unit: 'ms' },
          { subject: 'better-sqlite3 on main thread', value: onMain.lagP99, unit: 'ms' },
        ],
      },
    ];
  } finally {
    await pool.close();
    await bare.close();
    direct.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
