import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('examples/udp/echo.ts pings its echo server and exits 0', () => {
  const script = fileURLToPath(new URL('./echo.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '4'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^echo server on 127\.0\.0\.1:\d+$/m);
  const echoes = run.stdout.split('\n').filter((l) => l.startsWith('echo: ')).sort();
  assert.deepEqual(echoes, ['echo: ping 1', 'echo: ping 2', 'echo: ping 3', 'echo: ping 4']);
});
