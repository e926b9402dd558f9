import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../testing/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function torsion(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

/** The captures of `re` in the log once it matches `count` times (within 60 s; fails if torsion exits). */
async function waitForLog(r: Running, re: RegExp, count = 1): Promise<string[]> {
  const global = new RegExp(re.source, 'g');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const matches = [...r.stderr().matchAll(global)].map((m) => m[1] ?? m[0]);
    if (matches.length >= count) return matches;
    if (Date.now() > deadline) throw new Error(`no ${count} x ${re} in: ${r.stderr()}`);
    const done = await Promise.race([r.exited.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 50))]);
    if (done) throw new Error(`torsion exited before logging ${re}: ${r.stderr()}`);
  }
}

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy(new Error('round trip timed out')));
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d: string) => {
      got += d;
      if (got.length >= payload.length) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('two echo workers share one port; a worker killed with -9 is replaced; SIGTERM drains them all', { timeout: 120_000 }, async () => {
  const port = await freeLoopbackPort();
  const r = torsion(['echo', '--workers', '2', '--listen', `tcp:${port}:interface=127.0.0.1`]);
  try {
    const first = (await waitForLog(r, /worker (\d+) ready/, 2)).map(Number);
    await waitForLog(r, /2 workers of echo ready/);
    for (let i = 0; i < 10; i++) assert.equal(await roundTrip(port, `hello ${i}`), `hello ${i}`);

    process.kill(first[0], 'SIGKILL');
    await waitForLog(r, new RegExp(`worker ${first[0]} died \\(SIGKILL\\); replacing it`));
    // The survivor answers while the replacement starts.
    assert.equal(await roundTrip(port, 'meanwhile'), 'meanwhile');
    const now = (await waitForLog(r, /worker (\d+) ready/, 3)).map(Number);
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

test('SIGHUP replaces the workers one at a time under a steady request loop without a failed request', { timeout: 180_000 }, async () => {
  const port = await freeLoopbackPort();
  const r = torsion(['echo', '--workers', '2', '--listen', `tcp:${port}:interface=127.0.0.1`]);
  try {
    const before = (await waitForLog(r, /worker (\d+) ready/, 2)).map(Number);
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
    const after = (await waitForLog(r, /worker (\d+) ready/, 4)).map(Number).slice(2);
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
