import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/defer/${file}`], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

test('examples/defer/callbacks.ts', async () => {
  const { stdout, stderr } = await run('callbacks.ts');
  assert.equal(
    stdout,
    [
      'poem starts: I met a traveller...',
      'lookup failed (no poem called the-raven), using a default',
      'poem starts: Once upon a...',
      'gave up: Deferred timed out after 0.05 seconds',
      'done',
      '',
    ].join('\n'),
  );
  assert.equal(stderr, '');
});

test('examples/defer/sequential.ts', async () => {
  const { stdout, stderr } = await run('sequential.ts');
  assert.equal(
    stdout,
    [
      'alice (#5) has 50 karma',
      'bob (#3) has 30 karma',
      'gathered: 2 profiles, first is "carol (#5) has 50 karma"',
      'race won by #1: fast mirror',
      'squares: 1 4 9 16 25 (at most 2 at once)',
      'consumed: one, two, three',
      '',
    ].join('\n'),
  );
  assert.equal(stderr, '');
});
