import { test } from 'node:test';
import assert from 'node:assert/strict';
import { task } from '../threads/index.js';
import { ConnectionPool, DriverNotInstalledError, loadPg } from './index.js';

// Loading the `pg` package. The pool on a real PostgreSQL server is tested in pg.test.ts.

test('a missing pg package fails with DriverNotInstalledError naming the npm package', async () => {
  const missing = Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
  const e = await loadPg(() => Promise.reject(missing)).then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err as DriverNotInstalledError,
  );
  assert.ok(e instanceof DriverNotInstalledError);
  assert.equal(e.packageName, 'pg');
  assert.match(e.message, /npm install pg/);
  assert.equal(e.cause, missing);
});

test('other import errors pass through unchanged', async () => {
  const broken = new SyntaxError('bad module');
  await assert.rejects(loadPg(() => Promise.reject(broken)), (e) => e === broken);
});

test('pg is found as a default export (CommonJS) or as named exports', async () => {
  class Client {}
  assert.equal((await loadPg(async () => ({ default: { Client } }))).Client, Client);
  assert.equal((await loadPg(async () => ({ Client }))).Client, Client);
});

test('without pg installed, a pg pool fails its statements with DriverNotInstalledError naming the package', async () => {
  // The worker really cannot resolve pg (a resolve hook), and the error crosses back from the worker.
  const openFun = task(new URL('./test-support/without-pg.ts', import.meta.url), 'opened');
  const pool = new ConnectionPool('pg', { connectionString: 'postgres://nobody@127.0.0.1:1/none', openFun });
  try {
    await assert.rejects(pool.runQuery('SELECT 1').asPromise(), (e: unknown) => {
      assert.ok(e instanceof DriverNotInstalledError, `got ${String(e)}`);
      assert.equal(e.packageName, 'pg');
      assert.match(e.message, /npm install pg/);
      return true;
    });
  } finally {
    await pool.close();
  }
});
