import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freeLoopbackPort } from '../testing/index.js';
import { alive, roundTrip, torsion, waitForLog } from './test-support/torsion-process.js';

test('SIGHUP replaces the workers one at a time under a steady request loop without a failed request', { timeout: 180_000 }, async () => {
  const port = await freeLoopbackPort();
  const r = torsion(['echo', '--workers', '2', '--listen', `tcp:${port}:interface=127.0.0.1`]);
  try {
    const before = (await waitForLog(r, /worker (\d+) ready/, 2)).map((m) => Number(m[1]));
    await waitForLog(r, /2 workers of echo ready/);
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const loop = (async () => {
      for (let i = 0; running; i++) {
        try {
          assert.equal(await roundTrip(port, `request ${i}`), `request ${i}`);
          ok++;
        } catch (e) {
          failures.push(String(e));
        }
      }
    })();
    await new Promise((res) => setTimeout(res, 300));
    r.child.kill('SIGHUP');
    await waitForLog(r, /rolling restart done/);
    await new Promise((res) => setTimeout(res, 300));
    running = false;
    await loop;
    const after = (await waitForLog(r, /worker (\d+) ready/, 4)).map((m) => Number(m[1])).slice(2);
    assert.deepEqual(failures, []);
    assert.ok(ok > 10, `requests answered during the restart: ${ok}`);
    assert.ok(before.every((pid) => !after.includes(pid) && !alive(pid)), 'every old worker was replaced');
    assert.ok(!/died/.test(r.stderr()), 'drained workers are not reported as deaths');
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
  } finally {
    r.child.kill('SIGKILL');
  }
});
