import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./runner.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('examples/process/runner.ts', () => {
  test('labels stdout and stderr lines and passes the exit status through', () => {
    const r = run('sh', '-c', 'echo one; echo two >&2; printf three; exit 3');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /^started pid \d+$/m);
    assert.match(r.stdout, /^out\| one$/m);
    assert.match(r.stdout, /^err\| two$/m);
    assert.match(r.stdout, /^out\| three$/m);
    assert.match(r.stdout, /^ended: .*exit code 3\.$/m);
  });

  test('feeds --stdin to the program (sort)', () => {
    const r = run('--stdin', 'pear\\napple\\n', 'sort');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('out|')), ['out| apple', 'out| pear']);
  });

  test('--timeout sends TERM to a program that runs too long (sleep)', () => {
    const r = run('--timeout', '0.2', 'sleep', '30');
    assert.equal(r.status, 128, r.stderr);
    assert.match(r.stdout, /^ended: .*signal TERM\.$/m);
  });
});
