/**
 * The PostgreSQL side of the db tests: one throwaway server per test file, a main-thread client for
 * schemas and locks, a schema per test as its database, and the {@link Dialect} for the shared suite.
 * @module
 */
import pg from 'pg';
import { task } from '../../threads/index.js';
import { ConnectionPool, type PgPoolOptions, type PoolOptions } from '../index.js';
import { PostgresServer } from './postgres-server.js';
import type { Dialect } from './pool-suite.js';

const SETUP = new URL('./pg-setup.js', import.meta.url);

/** The running server, once started. */
export let server: PostgresServer | undefined;
let admin: pg.Client | undefined;
let schemas = 0;

/** The server and a main-thread client for setting up schemas and holding locks. */
export async function started(): Promise<{ server: PostgresServer; admin: pg.Client }> {
  server ??= await PostgresServer.start();
  if (!admin) {
    const client = new pg.Client(server.tcpOptions);
    // The restart tests end its session too: make a new one when next needed.
    const forget = (): void => {
      if (admin === client) admin = undefined;
    };
    client.on('error', forget);
    client.on('end', forget);
    await client.connect();
    admin = client;
  }
  return { server, admin };
}

/** Ends the main-thread client and stops the server (for the file's `after`). */
export async function stopPostgres(): Promise<void> {
  await admin?.end();
  await server?.stop();
  admin = undefined;
  server = undefined;
}

/** Options for a pool on `schema` (each test gets a schema of its own as its database). */
export function poolOptions(schema: string, options: PoolOptions = {}): PgPoolOptions {
  return { ...server!.tcpOptions, options: `-c search_path=${schema}`, ...options };
}

export async function newSchema(): Promise<string> {
  const schema = `t${++schemas}`;
  await (await started()).admin.query(`CREATE SCHEMA ${schema}`);
  return schema;
}

export const postgres: Dialect = {
  newDatabase: newSchema,
  pool: (schema, options) => new ConnectionPool('pg', poolOptions(schema, options)),
  sql(text) {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  },
  serialKey: 'SERIAL PRIMARY KEY',
  lastId: () => null,
  undefinedColumn: { code: '42703', message: /column "nonsense" does not exist/ },
  uniqueViolation: '23505',
  serializesWriters: false,
  forUpdate: ' FOR UPDATE',
  crash: { openFun: task(SETUP, 'addCrashStatement'), sql: 'SELECT crash()' },
  workerId: { openFun: task(SETUP, 'setWorkerId'), sql: "SELECT CAST(current_setting('torsion.worker_id') AS INTEGER) AS w" },
  async gate() {
    // A session-level advisory lock held by the main thread's client: the statement waits for it.
    const { admin } = await started();
    await admin.query('SELECT pg_advisory_lock(4242)');
    return {
      sql: 'SELECT CAST(? AS INTEGER) + 1 AS i FROM (SELECT pg_advisory_xact_lock(4242)) AS gate',
      async release() {
        await admin.query('SELECT pg_advisory_unlock(4242)');
      },
    };
  },
};

