import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DatagramProtocol } from './protocol.js';
import { MulticastPort } from './multicast.js';

const child = fileURLToPath(new URL('./test-support/multicast-netns-child.ts', import.meta.url));

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('listenMulticast', () => {
  test('two listeners on one port both hear a datagram sent to a 239.0.0.0/8 group; UDP broadcast (in a private network namespace)', () => {
    const probe = spawnSync('ip', ['-V']);
    assert.ok(!probe.error, 'the `ip` command is missing: install the Debian package iproute2');
    const ns = `torsion-mc-${process.pid}-${Date.now() % 100000}`;
    ip('netns', 'add', ns);
    try {
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'multicast', 'on');
      ip('netns', 'exec', ns, 'ip', 'route', 'add', '239.0.0.0/8', 'dev', 'lo');
      const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
      const lines = run.stdout.trim().split('\n');
      const report = JSON.parse(lines[lines.length - 1] || '{}');
      assert.equal(report.error, undefined, `child failed: ${report.error ?? ''}\n${run.stderr}`);
      assert.deepEqual(report.a, ['to both']);
      assert.deepEqual(report.b, ['to both']);
      assert.equal(report.leaveAgainError, 'MulticastJoinError');
      assert.equal(report.ttl, 1);
      assert.equal(report.outgoing, '127.0.0.1');
      assert.equal(report.joinError, 'MulticastJoinError');
      assert.deepEqual(report.broadcast, ['allowed'], 'a broadcast goes out only once setBroadcastAllowed(true)');
      assert.equal(report.broadcastErrors, 1, 'the refused broadcast is logged');
    } finally {
      ip('netns', 'del', ns);
    }
  });

  test('settings made before binding are kept and applied once bound', async () => {
    const port = new MulticastPort(null, 0, new DatagramProtocol(), { interface: '127.0.0.1' });
    port.setTTL(3);
    port.setLoopbackMode(false);
    port.startListening();
    assert.equal(port.getTTL(), 3);
    assert.equal(port.getLoopbackMode(), false);
    assert.ok(port.getHost().port > 0);
    await port.stopListening();
  });
});
