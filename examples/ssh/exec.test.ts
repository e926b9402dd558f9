import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('examples/ssh/exec.ts: logs in with a key and with a password over loopback TCP, runs commands', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'examples/ssh/exec.ts'], { cwd: root, timeout: 60_000 }, (err, out, stderr) =>
      err ? reject(new Error(`exec.ts failed: ${err.message}\n${stderr}`)) : resolve(out),
    );
  });
  assert.deepEqual(stdout.trim().split('\n'), ['key: stdout=hello alice stderr=oops exit=3', 'password: stdout=hello again alice stderr= exit=0']);
});
