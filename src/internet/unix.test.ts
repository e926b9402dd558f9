import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeReactor } from './reactor.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import { CannotListenError } from './error.js';
import { UNIXAddress } from './address.js';
import { eventually } from '../testing/index.js';

const reactor = new NodeReactor();

function tempDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'torsion-unix-test-'));
}

test('listenUNIX sets the mode, names its address, and a client connects', async () => {
  const dir = tempDir();
  const path = join(dir, 'a.sock');
  const port = reactor.listenUNIX(path, Factory.forProtocol(Protocol), { mode: 0o600 });
  try {
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
    assert.ok(port.getHost() instanceof UNIXAddress);
    assert.equal((port.getHost() as UNIXAddress).name, path);
    let client: Protocol | undefined;
    const f = new ClientFactory();
    f.buildProtocol = () => (client = new Protocol());
    reactor.connectUNIX(path, f);
    const connected = await eventually(() => (client?.connected ? client : undefined), { message: 'the client to connect' });
    assert.equal((connected.transport.getPeer() as UNIXAddress).name, path);
    connected.transport.loseConnection();
  } finally {
    await port.stopListening();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a stale socket file is removed; a live one is never stolen', async () => {
  const dir = tempDir();
  const path = join(dir, 'b.sock');
  try {
    // A socket file left by a process that died: bind one in a child and SIGKILL it (the file stays).
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout.once('data', r));
    assert.throws(() => reactor.listenUNIX(path, Factory.forProtocol(Protocol)), CannotListenError, 'live socket must not be stolen');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(fs.statSync(path).isSocket(), 'the dead server left its socket file');
    const port = reactor.listenUNIX(path, Factory.forProtocol(Protocol));
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(path, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    assert.equal(ok, true);
    await port.stopListening();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('wantPID writes a lock file, refuses while a live process holds it, and removes it on stop', async () => {
  const dir = tempDir();
  const path = join(dir, 'c.sock');
  try {
    fs.writeFileSync(`${path}.lock`, '1\n'); // pid 1 is always alive
    assert.throws(() => reactor.listenUNIX(path, Factory.forProtocol(Protocol), { wantPID: true }), /held by live process 1/);
    fs.writeFileSync(`${path}.lock`, '999999999\n'); // no such process: a stale lock
    const port = reactor.listenUNIX(path, Factory.forProtocol(Protocol), { wantPID: true });
    assert.equal(fs.readFileSync(`${path}.lock`, 'utf8').trim(), String(process.pid));
    await port.stopListening();
    assert.equal(fs.existsSync(`${path}.lock`), false);
    fs.writeFileSync(path, 'not a socket');
    assert.throws(() => reactor.listenUNIX(path, Factory.forProtocol(Protocol)), /not a socket/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
