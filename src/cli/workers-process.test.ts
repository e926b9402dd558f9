import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { freeLoopbackPort } from '../testing/index.js';
import { alive, roundTrip, torsion, waitForLog } from './test-support/torsion-process.js';

test('two echo workers share one port; a worker killed with -9 is replaced; SIGTERM drains them all', { timeout: 120_000 }, async () => {
  const port = await freeLoopbackPort();
  const r = torsion(['echo', '--workers', '2', '--listen', `tcp:${port}:interface=127.0.0.1`]);
  try {
    const first = (await waitForLog(r, /worker (\d+) ready/, 2)).map((m) => Number(m[1]));
    await waitForLog(r, /2 workers of echo ready/);
    for (let i = 0; i < 10; i++) assert.equal(await roundTrip(port, `hello ${i}`), `hello ${i}`);

    process.kill(first[0], 'SIGKILL');
    await waitForLog(r, new RegExp(`worker ${first[0]} died \\(SIGKILL\\); replacing it`));
    // The survivor answers while the replacement starts.
    assert.equal(await roundTrip(port, 'meanwhile'), 'meanwhile');
    const now = (await waitForLog(r, /worker (\d+) ready/, 3)).map((m) => Number(m[1]));
    assert.ok(!first.includes(now[2]), 'a new process took its place');
    for (let i = 0; i < 10; i++) assert.equal(await roundTrip(port, `again ${i}`), `again ${i}`);

    const open = net.connect(port, '127.0.0.1');
    await new Promise((res) => open.once('connect', res));
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    assert.equal([...r.stderr().matchAll(/\[torsion\.app#info\] stopped listening/g)].length, 2, 'both workers stopped listening');
    assert.ok(!alive(first[1]) && !alive(now[2]), 'no worker outlives the primary');
    await assert.rejects(roundTrip(port, 'late'), 'the port is closed');
    open.destroy();
  } finally {
    r.child.kill('SIGKILL');
  }
});
