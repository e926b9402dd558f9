import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

test('examples/multicast/beacon.ts: both listeners hear every beacon (run inside a private network namespace)', () => {
  assert.ok(!spawnSync('ip', ['-V']).error, 'the `ip` command is missing: install the Debian package iproute2');
  const script = fileURLToPath(new URL('./beacon.ts', import.meta.url));
  const ns = `torsion-ex-${process.pid}`;
  ip('netns', 'add', ns);
  try {
    ip('netns', 'exec', ns, 'sh', '-c', 'ip link set lo up multicast on && ip route add 239.0.0.0/8 dev lo');
    const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '2'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').sort();
    assert.deepEqual(lines, [
      'listener-1 heard "beacon 1" from 127.0.0.1',
      'listener-1 heard "beacon 2" from 127.0.0.1',
      'listener-2 heard "beacon 1" from 127.0.0.1',
      'listener-2 heard "beacon 2" from 127.0.0.1',
    ]);
  } finally {
    ip('netns', 'del', ns);
  }
});
