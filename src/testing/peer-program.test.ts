import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerStartError, startPeerProgram } from './index.js';

/** Node itself plays the peer program: `script` runs with the port as process.argv[1]. */
const node = (script: string) => (port: number) => ['-e', script, String(port)];
// The readiness probe connects and hangs up at once: the stand-in peer ignores the resulting socket error, as
// any real server does, instead of crashing on it (which made this test flaky under load).
const LISTEN = "require('net').createServer((s) => s.on('error', () => {}).end('hello from the peer')).listen(Number(process.argv[1]), '127.0.0.1')";

function read(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    connect(port, '127.0.0.1')
      .setEncoding('utf8')
      .on('data', (d: string) => (text += d))
      .on('end', () => resolve(text))
      .on('error', reject);
  });
}

describe('startPeerProgram', () => {
  test('starts the program on a free loopback port and resolves once the port accepts connections', async () => {
    // Slow to listen, as a real server reading its configuration is.
    const peer = await startPeerProgram({ executable: process.execPath, args: node(`console.log('starting'); setTimeout(() => ${LISTEN}, 300)`) });
    try {
      assert.ok(peer.port > 0);
      assert.equal(await read(peer.port), 'hello from the peer');
      assert.match(peer.output(), /starting/);
    } finally {
      await peer.stop();
    }
    assert.ok(await peer.exited);
  });

  test('ready can be a pattern of its output instead', async () => {
    const peer = await startPeerProgram({
      executable: process.execPath,
      args: node(`${LISTEN}.on('listening', () => console.error('now serving on ' + process.argv[1]))`),
      ready: /now serving on \d+/,
    });
    try {
      assert.match(peer.output(), new RegExp(`now serving on ${peer.port}`));
      assert.equal(await read(peer.port), 'hello from the peer');
    } finally {
      await peer.stop();
    }
  });

  test('a program that exits before it is ready is tried again on fresh ports, then fails quoting its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-peer-'));
    try {
      const tries = join(dir, 'tries');
      const err = await startPeerProgram({
        executable: process.execPath,
        args: node(`require('fs').appendFileSync(${JSON.stringify(tries)}, process.argv[1] + '\\n'); console.error('bad configuration: no such user'); process.exit(3)`),
        name: 'the fake server',
      }).then(
        () => assert.fail('started'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PeerStartError);
      assert.equal(err.code, 'TORSION_PEER_START');
      assert.match(err.message, /^the fake server exited before it was ready/);
      assert.match(err.message, /bad configuration: no such user/);
      const ports = readFileSync(tries, 'utf8').trim().split('\n');
      assert.equal(ports.length, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a program that never gets ready fails after `timeout` seconds, quoting its output', async () => {
    await assert.rejects(
      startPeerProgram({ executable: process.execPath, args: node("console.log('thinking...'); setInterval(() => {}, 1000)"), timeout: 3 }),
      (e: unknown) => e instanceof PeerStartError && /was not ready within 3 s/.test(e.message) && /thinking\.\.\./.test(e.message),
    );
  });

  test('stop() kills a program that ignores SIGTERM once stopTimeout has passed', async () => {
    const peer = await startPeerProgram({
      executable: process.execPath,
      args: node(`process.on('SIGTERM', () => console.log('not stopping')); ${LISTEN}`),
      stopTimeout: 0.3,
    });
    await peer.stop();
    const reason = await peer.exited;
    assert.match(reason.getErrorMessage(), /KILL|signal 9/i);
  });

  test('stop() resolves once the program exited, though a child it left behind still holds its output open', async () => {
    // Dovecot does this: the master exits on TERM while a helper still has the pipe. KILLing the exited program
    // used to throw ProcessExitedAlready from the stop timer, and stop() waited for the pipe.
    const peer = await startPeerProgram({
      executable: '/bin/sh',
      args: () => ['-c', 'echo ready; sleep 30 & trap "exit 0" TERM; while :; do sleep 0.05; done'],
      ready: /ready/,
      stopTimeout: 0.2,
    });
    await peer.stop();
    await new Promise((resolve) => setTimeout(resolve, 400));
    peer.transport.loseConnection();
    assert.equal(peer.output().trim(), 'ready');
  });
});
