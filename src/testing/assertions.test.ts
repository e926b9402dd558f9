import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionDone, ConnectionLost, ConnectionRefusedError } from '../internet/error.js';
import { assertFailure, assertNoResult, deferredTest, failureResultOf, successResultOf } from './assertions.js';
import { PeerMissingError, requirePeer } from './peers.js';

describe('successResultOf', () => {
  test('returns the result of a fired Deferred and leaves it in the chain', () => {
    const d = Deferred.succeed(42);
    assert.equal(successResultOf(d), 42);
    let later: unknown;
    d.addCallback((v) => { later = v; });
    assert.equal(later, 42);
  });

  test('fails when there is no result yet', () => {
    assert.throws(() => successResultOf(new Deferred()), (e: Error) => e instanceof assert.AssertionError && /found no result/.test(e.message));
  });

  test('fails with the traceback when the Deferred failed, and consumes the failure', () => {
    const d = Deferred.fail(new Error('kaput'));
    assert.throws(() => successResultOf(d), (e: Error) => e instanceof assert.AssertionError && /failure result instead:\n.*kaput/s.test(e.message));
    assert.equal(d.result, undefined);
  });
});

describe('failureResultOf', () => {
  test('returns the Failure and consumes it', () => {
    const d = Deferred.fail(new ConnectionRefusedError('nope'));
    const f = failureResultOf(d, ConnectionRefusedError);
    assert.ok(f instanceof Failure);
    assert.equal(f.getErrorMessage(), 'nope');
    assert.equal(d.result, undefined);
  });

  test('matches subclasses and any of several types; no type matches anything', () => {
    assert.ok(failureResultOf(Deferred.fail(new ConnectionRefusedError()), ConnectionDone, Error));
    assert.ok(failureResultOf(Deferred.fail(new TypeError('x'))));
  });

  test('fails on the wrong type, on success and on no result', () => {
    assert.throws(() => failureResultOf(Deferred.fail(new ConnectionLost()), ConnectionDone, ConnectionRefusedError), /\(ConnectionDone or ConnectionRefusedError\) expected.*found type ConnectionLost/s);
    assert.throws(() => failureResultOf(Deferred.succeed('yes'), Error), /found success result \("yes"\)/);
    assert.throws(() => failureResultOf(new Deferred()), /found no result/);
  });
});

describe('assertNoResult', () => {
  test('passes for a waiting Deferred, which still fires normally afterwards', () => {
    const d = new Deferred<number>();
    assertNoResult(d);
    d.callback(1);
    assert.equal(successResultOf(d), 1);
  });

  test('leaves a later failure in place for the test to see', () => {
    const d = new Deferred<number>();
    assertNoResult(d);
    d.errback(new Error('later'));
    assert.equal(failureResultOf(d).value.message, 'later');
  });

  test('fails for a fired one, success or failure', () => {
    assert.throws(() => assertNoResult(Deferred.succeed(3)), /No result expected.*found 3/);
    const failed = Deferred.fail(new Error('bad'));
    assert.throws(() => assertNoResult(failed), /found failure result instead:\n.*bad/s);
    assert.equal(failed.result, undefined);
  });
});

describe('assertFailure', () => {
  test('gives the error when the Deferred fails with one of the types', async () => {
    const d = new Deferred<string>();
    const checked = assertFailure<ConnectionRefusedError>(d, ConnectionRefusedError);
    setImmediate(() => d.errback(new ConnectionRefusedError('refused!')));
    const err = await checked;
    assert.ok(err instanceof ConnectionRefusedError);
    assert.equal(err.message, 'refused!');
  });

  test('accepts a Promise', async () => {
    const err = await assertFailure(Promise.reject(new RangeError('r')), RangeError);
    assert.equal(err.message, 'r');
  });

  test('fails when the Deferred succeeds', async () => {
    await assert.rejects(assertFailure(Deferred.succeed('ok'), Error).asPromise(), (e: Error) => e instanceof assert.AssertionError && /succeeded with "ok"/.test(e.message));
  });

  test('fails when the Deferred fails with another type', async () => {
    await assert.rejects(assertFailure(Deferred.fail(new TypeError('t')), RangeError).asPromise(), /RangeError expected, but the Deferred failed with TypeError/);
  });
});

describe('returning a Deferred from a node:test test', () => {
  test('node:test waits for it and reports its failure', () => {
    const fixture = fileURLToPath(new URL('./test-support/returns-deferred.fixture.mjs', import.meta.url));
    // Without NODE_TEST_CONTEXT, which the parent runner sets and which would switch the child to its wire format.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    // The fixture runs as a plain script, not under a nested `--test` runner: one process, not a runner spawning
    // a runner, so a loaded machine has no second child whose start-up can race the report (it once printed `# fail 2`).
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', fixture], { encoding: 'utf8', timeout: 120_000, env });
    const out = run.stdout;
    assert.equal(run.signal, null, `fixture killed by ${String(run.signal)}; stderr:\n${run.stderr}`);
    assert.match(out, /FIXTURE-FIRED[\s\S]*ok 1 - waits for a Deferred that fires later/);
    assert.match(out, /not ok 2 - fails when the returned Deferred fails[\s\S]*FIXTURE-FAILURE/);
    assert.match(out, /# pass 1/);
    assert.match(out, /# fail 1/);
    assert.equal(run.status, 1);
  });
});

describe('deferredTest', () => {
  test('the wrapped body is awaited, Deferred results and failures included', async () => {
    const order: string[] = [];
    const d = new Deferred<void>();
    const run = deferredTest(() => d.addCallback(() => { order.push('fired'); }))(undefined);
    order.push('called');
    setImmediate(() => d.callback());
    await run;
    assert.deepEqual(order, ['called', 'fired']);
    await assert.rejects(deferredTest(() => Deferred.fail(new Error('inner')))(undefined), /inner/);
  });

  test(
    'works as a node:test body',
    deferredTest(() => {
      const d = new Deferred<number>();
      setImmediate(() => d.callback(7));
      return d.addCallback((n) => assert.equal(n, 7));
    }),
  );
});

describe('requirePeer', () => {
  test('finds a program on PATH and returns its full path', () => {
    const sh = requirePeer('sh', 'dash');
    assert.match(sh, /^\/.*\/sh$/);
  });

  test('a missing program fails naming the Debian package', () => {
    assert.throws(
      () => requirePeer('torsion-no-such-program', 'torsion-peer-pkg'),
      (e: Error) => e instanceof PeerMissingError && e.message === 'peer program torsion-no-such-program not found: install the Debian package torsion-peer-pkg',
    );
    assert.throws(() => requirePeer('/nonexistent/bin/x', 'xpkg'), /install the Debian package xpkg/);
  });
});
