/**
 * `openFun` tasks for the db tests; they run in each connection's worker.
 * @module
 */
import type Database from 'better-sqlite3';

/** Adds SQL function `crash()`, which kills the connection's worker mid-statement. */
export function addCrashFunction(db: Database.Database): void {
  db.function('crash', () => process.exit(9));
}

/** Adds SQL function `worker_id()`, giving the id of the connection's worker thread. */
export async function addWorkerId(db: Database.Database): Promise<void> {
  const { threadId } = await import('node:worker_threads');
  db.function('worker_id', () => threadId);
}

/** Adds SQL function `wait_main(name)`: blocks the statement until the main thread's function `name` answers. */
export async function addMainWait(db: Database.Database): Promise<void> {
  const { blockingCallFromThread } = await import('../../threads/index.js');
  db.function('wait_main', (name: unknown) => blockingCallFromThread(String(name)) as number);
}
