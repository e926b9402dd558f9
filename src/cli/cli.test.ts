import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function torsion(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until the log (stderr) matches `re` `count` times; fails if the process exits first. */
async function waitForLog(r: Running, re: RegExp, count = 1): Promise<RegExpExecArray[]> {
  const global = new RegExp(re.source, 'g');
  for (;;) {
    const matches = [...r.stderr().matchAll(global)] as RegExpExecArray[];
    if (matches.length >= count) return matches;
    const done = await Promise.race([r.exited.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 50))]);
    if (done) throw new Error(`torsion exited before logging ${re}: ${r.stderr()}`);
  }
}

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8');
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

const LISTENING = /listening on (\S+) \(TCP:127\.0\.0\.1:(\d+)\)/;

describe('the torsion command', () => {
  test('--help lists the plugins; <plugin> --help shows its options; unknown plugins and options are usage errors', { timeout: 60_000 }, async () => {
    const help = torsion(['--help']);
    assert.equal(await help.exited, 0);
    assert.match(help.stdout(), /Usage: torsion \[options\] <plugin>/);
    assert.match(help.stdout(), /echo\s+An echo server/);
    assert.match(help.stdout(), /portforward\s+A port forwarder/);

    const echoHelp = torsion(['echo', '--help']);
    assert.equal(await echoHelp.exited, 0);
    assert.match(echoHelp.stdout(), /--listen <endpoint>\s+Endpoint to listen on \(may repeat; default: tcp:8007:interface=127\.0\.0\.1/);

    const unknown = torsion(['nope']);
    assert.equal(await unknown.exited, 64);
    assert.match(unknown.stderr(), /unknown plugin "nope"/);

    const badOption = torsion(['portforward', '--listen', 'tcp:0']);
    assert.equal(await badOption.exited, 64);
    assert.match(badOption.stderr(), /--dest is required/);
  });

  test('echo: listens on every --listen endpoint, echoes, logs, and exits 0 on SIGTERM with its ports closed', { timeout: 60_000 }, async () => {
    const r = torsion(['echo', '--listen', 'tcp:0:interface=127.0.0.1', '--listen', 'tcp:0:interface=127.0.0.1']);
    try {
      const ports = (await waitForLog(r, LISTENING, 2)).map((m) => Number(m[2]));
      assert.equal(ports.length, 2);
      for (const port of ports) assert.equal(await roundTrip(port, 'hello torsion'), 'hello torsion');
      await waitForLog(r, /connection from TCP:127\.0\.0\.1:\d+/, 2);
      r.child.kill('SIGTERM');
      assert.equal(await r.exited, 0, r.stderr());
      assert.match(r.stderr(), /\[torsion\.cli#info\] stopping echo/);
      assert.equal((r.stderr().match(/stopped listening on tcp:0:interface=127\.0\.0\.1/g) ?? []).length, 2);
      assert.match(r.stderr(), /echo stopped/);
      for (const port of ports) {
        await assert.rejects(roundTrip(port, 'x'), /ECONNREFUSED/, 'the port is closed after shutdown');
      }
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  test('echo: SIGINT stops it cleanly too', { timeout: 60_000 }, async () => {
    const r = torsion(['echo', '--listen', 'tcp:0:interface=127.0.0.1']);
    try {
      await waitForLog(r, LISTENING);
      r.child.kill('SIGINT');
      assert.equal(await r.exited, 0, r.stderr());
      assert.match(r.stderr(), /stopped listening/);
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  test('portforward: relays to --dest and back', { timeout: 60_000 }, async () => {
    const upstream = net.createServer((s) => {
      // Shutdown may cut the proxy's outgoing connection while it is still open: a reset here is expected.
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((res) => upstream.listen(0, '127.0.0.1', res));
    const upPort = (upstream.address() as net.AddressInfo).port;
    const r = torsion(['portforward', '--listen', 'tcp:0:interface=127.0.0.1', '--dest', `tcp:host=127.0.0.1:port=${upPort}`]);
    try {
      const [m] = await waitForLog(r, LISTENING);
      const payload = 'through the proxy '.repeat(5000);
      assert.equal(await roundTrip(Number(m[2]), payload), payload);
      r.child.kill('SIGTERM');
      assert.equal(await r.exited, 0, r.stderr());
    } finally {
      r.child.kill('SIGKILL');
      await new Promise<void>((res) => upstream.close(() => res()));
    }
  });

  test('a port that cannot be bound: the failure is logged and the exit status is 1', { timeout: 60_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((res) => taken.listen(0, '127.0.0.1', res));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = torsion(['echo', '--listen', `tcp:${port}:interface=127.0.0.1`]);
      assert.equal(await r.exited, 1);
      assert.match(r.stderr(), /cannot listen on tcp:\d+:interface=127\.0\.0\.1/);
      assert.match(r.stderr(), /echo could not start/);
    } finally {
      await new Promise<void>((res) => taken.close(() => res()));
    }
  });
});
