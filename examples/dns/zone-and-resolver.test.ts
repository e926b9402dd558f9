import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('examples/dns/zone-and-resolver.ts serves a zone and resolves from it', () => {
  const script = fileURLToPath(new URL('./zone-and-resolver.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--conditions', 'torsion-source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^dns server on 127\.0\.0\.1:\d+$/m);
  assert.match(run.stdout, /^MX 10 mail\.example\.test$/m);
  assert.match(run.stdout, /^TXT hello from torsion$/m);
  assert.match(run.stdout, /^www\.example\.test is 192\.0\.2\.25$/m);
  assert.match(run.stdout, /^nope\.example\.test: TORSION_DNS_NAME_ERROR$/m);
});
