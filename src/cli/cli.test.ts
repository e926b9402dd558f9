import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { roundTrip, torsion, waitForLog } from './test-support/torsion-process.js';

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
