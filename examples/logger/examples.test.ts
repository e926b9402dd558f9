import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/logger/${file}`], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

test('examples/logger/basic.ts', async () => {
  const { stdout, stderr } = await run('basic.ts');
  const lines = stdout.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    '12:00:00 [app.boot#info] configuration read from app.json',
    '12:00:00 [app.web#info] listening on port 8080',
    '12:00:00 [app.db#debug] query SELECT 1 took 0.4 ms',
    '12:00:00 [app.web#warn] slow client 10.0.0.7',
    '12:00:00 [app.db#error] could not reconnect after 3 tries',
  ]);
  assert.equal(lines[5], '\tConnectionRefused: db.example:5432 refused');
  assert.match(lines[6], /^\t +at .*basic\.ts/);
  assert.doesNotMatch(stdout, /filtered out/);
  assert.equal(stderr, '');
});

test('examples/logger/json-file.ts', async () => {
  const { stdout, stderr } = await run('json-file.ts');
  assert.equal(stdout, ['info: order 1017 placed by ada {"amount":42.5,"currency":"EUR"}', 'warn: order 1017 paid late 3', ''].join('\n'));
  assert.equal(stderr, '');
});
