import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('with no observers installed, warn and above go to stderr, captured events stay quiet, stdout is untouched', async () => {
  const fixture = fileURLToPath(new URL('./test-support/default-fixture.ts', import.meta.url));
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', fixture], { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 }, (err, out, errOut) =>
      err ? reject(err) : resolve({ stdout: out, stderr: errOut }),
    );
  });
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, stderr);
  assert.match(lines[0], /^\S+Z \[fixture#warn\] warn is printed 1$/);
  assert.match(lines[1], /\[fixture#critical\] critical is printed$/);
});
