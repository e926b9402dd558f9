import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deferred, Failure, fail, reportAllUnhandled, setUnhandledReporter, succeed } from './index.js';
import { captureLogs } from '../logger/index.js';

const fixture = fileURLToPath(new URL('./test-support/unhandled-fixture.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

function runFixture(mode: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, mode], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`fixture ${mode} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('unhandled failures, in a child process', () => {
  test('a failed Deferred that is garbage-collected is reported with its traceback', async () => {
    const { stdout, stderr } = await runFixture('gc');
    assert.match(stderr, /\[torsion\.defer#critical\] Unhandled error in Deferred:/);
    assert.match(stderr, /BoomError: collected unhandled/);
    assert.match(stderr, /dropFailed/, 'the traceback names the function that failed');
    const reportIndex = stderr.indexOf('collected unhandled');
    assert.ok(reportIndex >= 0);
    assert.match(stdout, /after gc/);
    assert.equal(count(stderr, 'Unhandled error in Deferred'), 1, 'reported once, not again at exit');
  });

  test('a failed Deferred still alive at exit is reported', async () => {
    const { stdout, stderr } = await runFixture('exit');
    assert.match(stdout, /exiting/);
    assert.match(stderr, /Unhandled error in Deferred:/);
    assert.match(stderr, /BoomError: alive at exit/);
  });

  test('handled failures are not reported', async () => {
    const { stderr } = await runFixture('handled');
    assert.doesNotMatch(stderr, /Unhandled error/);
  });

  test('with setDebugging(true) the report shows where it was created and first fired', async () => {
    const { stderr } = await runFixture('debug');
    assert.match(stderr, /Unhandled error in Deferred:/);
    assert.match(stderr, /Deferred was created:[\s\S]*createHere/);
    assert.match(stderr, /First Invoker was:[\s\S]*fireHere/);
  });

  test('the report goes through the logger: observers get a torsion.defer event with the failure', async () => {
    const { stdout, stderr } = await runFixture('json');
    const events = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const report = events.find((e) => e.log_namespace === 'torsion.defer');
    assert.ok(report, `no torsion.defer event in ${stdout}`);
    assert.equal(report.log_level, 'critical');
    assert.equal(report.log_text, 'Unhandled error in Deferred:');
    assert.equal(report.log_failure.type, 'BoomError');
    assert.match(report.log_failure.traceback, /through the logger/);
    assert.equal(stderr, '', 'once logging has begun, the default stderr printer is gone');
  });
});

describe('unhandled failures, in process', () => {
  test('reportAllUnhandled reports live failures once, through the logger', () => {
    const d = fail(new Error('still failing'));
    const events = captureLogs(() => reportAllUnhandled());
    const mine = events.filter((e) => e.log_failure?.value.message === 'still failing');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].log_namespace, 'torsion.defer');
    assert.equal(captureLogs(() => reportAllUnhandled()).filter((e) => e.log_failure?.value.message === 'still failing').length, 0);
    d.addErrback(() => undefined);
  });

  test('a failure handled before the report is not reported; one passed on is', () => {
    const seen: Failure[] = [];
    const old = setUnhandledReporter((f) => seen.push(f));
    try {
      const handled = fail(new Error('handled'));
      handled.addErrback(() => undefined);
      const passedOn = fail(new Error('passed on'));
      passedOn.addCallback(() => 'callbacks do not handle failures');
      const rethrown = fail(new Error('first'));
      rethrown.addErrback(() => {
        throw new Error('rethrown');
      });
      const waiting = new Deferred<number>();
      const outer = succeed(0).addCallback(() => waiting);
      waiting.errback(new Error('moved to outer'));
      reportAllUnhandled();
      assert.deepEqual(seen.map((f) => f.getErrorMessage()).sort(), ['moved to outer', 'passed on', 'rethrown']);
      outer.addErrback(() => undefined);
    } finally {
      setUnhandledReporter(old);
    }
  });
});
