import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requirePeer } from 'torsion/testing';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const expected = ['7 / 2 = 3', '1 / 0 failed: integer division by zero', 'sum = 18446744073709551619', 'Hello, Ada!'];

test('examples/amp: the Torsion client and the Python Twisted client both use the Torsion server', { timeout: 60_000 }, async () => {
  const python = requirePeer('/usr/bin/python3', 'python3-twisted');
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = (await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next()).value as string;
    const m = /^amp calculator on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(m, first);
    const ts = spawnSync(process.execPath, ['--import', 'tsx', here('./client.ts'), `tcp:127.0.0.1:${m[1]}`], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ts.status, 0, ts.stderr);
    assert.deepEqual(ts.stdout.trim().split('\n'), expected);
    const py = spawnSync(python, [here('./calculator.py'), 'client', m[1]!], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(py.stdout.trim().split('\n'), expected);
  } finally {
    server.kill('SIGTERM');
  }
});
