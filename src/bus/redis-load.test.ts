import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusRedisNotInstalledError, loadIoredis } from './index.js';

test('without ioredis installed, the Redis bus fails with an error naming the package', async () => {
  const missing = Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
  await assert.rejects(
    loadIoredis(() => Promise.reject(missing)),
    (e: unknown) => e instanceof BusRedisNotInstalledError && e.code === 'TORSION_BUS_REDIS_NOT_INSTALLED' && /"ioredis"/.test(e.message),
  );
  assert.equal(typeof (await loadIoredis()), 'function', 'the installed package loads');
});
