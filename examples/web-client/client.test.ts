import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('examples/web-client: logs in (303 + cookie), follows to a gzipped page, and exits', () => {
  const script = fileURLToPath(new URL('./client.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), ['303 then 200 OK', 'welcome back, ada', '2018 bytes after decoding']);
});
