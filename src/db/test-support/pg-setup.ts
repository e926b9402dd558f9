/**
 * `openFun` tasks for the PostgreSQL tests; they run in each connection's worker with its `pg.Client`.
 * @module
 */
import type { Client } from 'pg';

/** Makes the statement `SELECT crash()` kill the connection's worker (PostgreSQL runs no JavaScript). */
export function addCrashStatement(client: Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (sql: unknown, ...rest: unknown[]) => (sql === 'SELECT crash()' ? process.exit(9) : query(sql, ...rest));
}

/** Records the worker's thread id in the session setting `torsion.worker_id`. */
export async function setWorkerId(client: Client): Promise<void> {
  const { threadId } = await import('node:worker_threads');
  await client.query("SELECT set_config('torsion.worker_id', $1, false)", [String(threadId)]);
}
