// A bare worker_threads + better-sqlite3 server: the least a worker round trip can cost, as a baseline
// for bench/db.bench.ts.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.filename);
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  let stmt = statements.get(sql);
  if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
  parentPort.postMessage({ id, rows: stmt.all(...params) });
});
