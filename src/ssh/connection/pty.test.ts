/**
 * Pseudo-terminals: the optional `@lydell/node-pty` is loaded lazily and named when missing; a child on a
 * terminal sees a real tty of the asked size, follows resizes, and ends with its status or signal.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Failure } from '../../defer/index.js';
import { ProcessProtocol, reactor } from '../../internet/index.js';
import type { ProcessTerminated } from '../../internet/error.js';
import { eventually } from '../../testing/index.js';
import { SSHPtyNotInstalledError } from './errors.js';
import { ProcessSession } from './process-session.js';
import { PtyProcessTransport, loadNodePty } from './pty.js';

class Recorder extends ProcessProtocol {
  out = '';
  ended: Failure | undefined;
  override outReceived(data: Uint8Array): void {
    this.out += Buffer.from(data).toString('utf8');
  }
  override processEnded(reason: Failure): void {
    this.ended = reason;
  }
}

const size = (columns: number, rows: number) => ({ columns, rows, widthPixels: 0, heightPixels: 0 });

describe('node-pty, an optional peer', () => {
  test('missing, the error names the package to install', async () => {
    const missing = Object.assign(new Error("Cannot find package '@lydell/node-pty'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const err = await loadNodePty(() => Promise.reject(missing)).then(
      () => assert.fail('loaded'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SSHPtyNotInstalledError);
    assert.equal(err.code, 'TORSION_SSH_PTY_NOT_INSTALLED');
    assert.match(err.message, /npm install @lydell\/node-pty/);
  });

  test('a broken install is not reported as a missing one', async () => {
    const broken = new Error('bad ELF header');
    await assert.rejects(loadNodePty(() => Promise.reject(broken)), (e) => e === broken);
  });

  test('a ProcessSession without node-pty refuses pty-req, naming the package', () => {
    const session = new ProcessSession({ reactor, username: 'alice' });
    assert.throws(() => session.getPty({ term: 'xterm', ...size(80, 24), modes: new Uint8Array() }), (e: unknown) => e instanceof SSHPtyNotInstalledError && /@lydell\/node-pty/.test((e as Error).message));
  });
});

describe('PtyProcessTransport', () => {
  test('the child runs on a terminal of the asked size, follows a resize, and ends with its status', { timeout: 20_000 }, async () => {
    const pty = await loadNodePty();
    const protocol = new Recorder();
    const script = 'tty; stty size; read line; stty size; echo "got $line"; exit 3';
    const transport = new PtyProcessTransport(protocol, '/bin/sh', ['sh', '-c', script], { pty, term: 'xterm', size: size(100, 40), env: { PATH: '/usr/bin:/bin' } });
    await eventually(() => /40 100/.test(protocol.out), { timeout: 10 });
    assert.match(protocol.out, /^\/dev\/pts\/\d+\r\n/);
    transport.resize(size(132, 50));
    transport.write('typed\r');
    await eventually(() => protocol.ended !== undefined, { timeout: 10 });
    assert.match(protocol.out, /50 132\r\n/);
    assert.match(protocol.out, /got typed\r\n/);
    assert.equal((protocol.ended!.value as ProcessTerminated).exitCode, 3);
    assert.equal(transport.status, 3);
  });

  test('terminal modes are set before the program starts: intr, erase, echo, icanon, onlcr as asked', { timeout: 20_000 }, async () => {
    const pty = await loadNodePty();
    const protocol = new Recorder();
    const modes = [
      { opcode: 1, value: 2 }, // VINTR ^B
      { opcode: 3, value: 8 }, // VERASE ^H
      { opcode: 53, value: 0 }, // -echo
      { opcode: 51, value: 0 }, // -icanon
      { opcode: 72, value: 0 }, // -onlcr
    ];
    new PtyProcessTransport(protocol, '/bin/sh', ['sh', '-c', 'stty -a'], { pty, term: 'xterm', size: size(80, 24), env: { PATH: '/usr/bin:/bin' }, modes });
    await eventually(() => protocol.ended !== undefined, { timeout: 10 });
    assert.match(protocol.out, /intr = \^B;/);
    assert.match(protocol.out, /erase = \^H;/);
    for (const flag of ['-echo', '-icanon', '-onlcr']) assert.match(protocol.out, new RegExp(`(^|\\s)${flag}(\\s|$)`), flag);
    // -onlcr: the terminal no longer turns the program's LF into CR LF.
    assert.doesNotMatch(protocol.out, /\r\n/);
  });

  test('a signal ends the child; its name comes back, and signalling it again says it has exited', { timeout: 20_000 }, async () => {
    const pty = await loadNodePty();
    const protocol = new Recorder();
    const transport = new PtyProcessTransport(protocol, '/bin/sh', ['sh', '-c', 'echo ready; exec sleep 30'], { pty, term: 'vt100', size: size(0, 0), env: { PATH: '/usr/bin:/bin' } });
    await eventually(() => protocol.out.includes('ready'), { timeout: 10 });
    transport.signalProcess('TERM');
    await eventually(() => protocol.ended !== undefined, { timeout: 10 });
    assert.equal((protocol.ended!.value as ProcessTerminated).signal, 'TERM');
    assert.throws(() => transport.signalProcess('TERM'), /already exited/);
  });

  test('what is typed is paced: a child that never reads makes the writer pause, not fill memory', { timeout: 20_000 }, async () => {
    const pty = await loadNodePty();
    const protocol = new Recorder();
    const transport = new PtyProcessTransport(protocol, '/bin/sh', ['sh', '-c', 'echo ready; exec sleep 30'], { pty, term: 'vt100', size: size(80, 24), env: { PATH: '/usr/bin:/bin' } });
    await eventually(() => protocol.out.includes('ready'), { timeout: 10 });
    let paused = false;
    transport.registerProducer({ pauseProducing: () => (paused = true), resumeProducing: () => (paused = false), stopProducing: () => undefined }, true);
    const chunk = new Uint8Array(16384).fill(0x61);
    for (let i = 0; i < 64 && !paused; i++) transport.write(chunk);
    assert.equal(paused, true);
    assert.ok(transport.getWriteBufferSize() > 0);
    transport.signalProcess('KILL');
    await eventually(() => protocol.ended !== undefined, { timeout: 10 });
  });
});
