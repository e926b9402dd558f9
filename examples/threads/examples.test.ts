import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/threads/${file}`], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

test('examples/threads/hashing.ts hashes in a worker and exits on its own', async () => {
  const { stdout } = await run('hashing.ts');
  const expected = createHash('sha256').update(new Uint8Array(64 << 20).fill(0x61)).digest('hex');
  assert.equal(
    stdout,
    [
      `sha256: ${expected}`,
      'bytes left on the main thread: 0',
      'main loop ran its timer while hashing: yes',
      'sqrt(81) = 9',
      'failed: RangeError: expected a positive number, got -1',
      'traceback names the task: true',
      '',
    ].join('\n'),
  );
});

test('examples/threads/progress.ts calls back into the main loop', async () => {
  const { stdout } = await run('progress.ts');
  const expected = createHash('sha256').update('pepper').update('hello, threads').digest('hex');
  assert.equal(
    stdout,
    ['progress: 1/4', 'progress: 2/4', 'progress: 3/4', 'progress: 4/4', `salted sha256: ${expected.slice(0, 16)}...`, 'pool stopped', ''].join('\n'),
  );
});
