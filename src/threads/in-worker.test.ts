import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { captureLogs } from '../logger/index.js';
import { NotInWorkerError, ThreadPool, blockingCallFromThread, callFromThread, exposeToThreads, isWorkerThread, unexposeToThreads } from './index.js';
import { t } from './test-support/helpers.js';

describe('callFromThread and blockingCallFromThread', () => {
  const pool = new ThreadPool({ maxThreads: 2 });
  after(() => pool.stop());

  test('blockingCallFromThread returns the value of a Deferred the main loop fires later', async () => {
    let seenOnMain: unknown[] = [];
    exposeToThreads('test.lookup', (key: string, n: number) => {
      seenOnMain = [key, n];
      const d = new Deferred<string>();
      setImmediate(() => d.callback(`value of ${key} x${n}`));
      return d;
    });
    try {
      assert.equal(await pool.defer(t('askMain'), 'test.lookup', 'colour', 3), 'value of colour x3');
      assert.deepEqual(seenOnMain, ['colour', 3]);
    } finally {
      unexposeToThreads('test.lookup');
    }
  });

  test('blockingCallFromThread waits for a Promise too', async () => {
    exposeToThreads('test.promise', async (n: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      return n + 1;
    });
    try {
      assert.equal(await pool.defer(t('askMain'), 'test.promise', 41), 42);
    } finally {
      unexposeToThreads('test.promise');
    }
  });

  test('blockingCallFromThread throws the failure in the worker', async () => {
    exposeToThreads('test.refuse', () => Deferred.fail(new TypeError('refused on main')));
    try {
      const answer = await pool.defer(t('askMainCatching'), 'test.refuse');
      assert.deepEqual(answer, { error: { name: 'TypeError', message: 'refused on main', isTypeError: true } });
      const unknown = (await pool.defer(t('askMainCatching'), 'test.nobody')) as { error: { name: string } };
      assert.equal(unknown.error.name, 'UnknownTaskError');
    } finally {
      unexposeToThreads('test.refuse');
    }
  });

  test('blockingCallFromThread can name a task the main thread imports and runs', async () => {
    assert.equal(await pool.defer(t('askMainTask'), 'hello'), 'HELLO! (main thread: true)');
  });

  test('callFromThread runs a function on the main loop without blocking the worker', async () => {
    const got = new Deferred<unknown[]>();
    exposeToThreads('test.notify', (...args: unknown[]) => got.callback(args));
    try {
      assert.equal(await pool.defer(t('tellMain'), 'test.notify', 'progress', 50), 'sent');
      assert.deepEqual(await got, ['progress', 50]);
    } finally {
      unexposeToThreads('test.notify');
    }
  });

  test('a failing callFromThread is logged on the main thread', async () => {
    const events = await captureLogs(async () => {
      exposeToThreads('test.broken', () => {
        throw new Error('broken on main');
      });
      const logged = new Deferred<void>();
      exposeToThreads('test.after', () => logged.callback(undefined));
      await pool.defer(t('tellMain'), 'test.broken');
      await pool.defer(t('tellMain'), 'test.after');
      await logged;
    });
    unexposeToThreads('test.broken');
    unexposeToThreads('test.after');
    assert.ok(events.some((e) => String(e.log_format).includes('callFromThread') && e.log_namespace === 'torsion.threads'), JSON.stringify(events));
  });

  test('on the main thread: callFromThread runs later, blockingCallFromThread refuses', async () => {
    assert.equal(isWorkerThread(), false);
    const got = new Deferred<number>();
    exposeToThreads('test.local', (n: number) => got.callback(n));
    try {
      callFromThread('test.local', 7);
      assert.equal(got.called, false);
      assert.equal(await got, 7);
    } finally {
      unexposeToThreads('test.local');
    }
    assert.throws(() => blockingCallFromThread('test.local'), NotInWorkerError);
  });
});
