import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../../testing/index.js';
import { FX, FXF, FXP } from './constants.js';
import type { ISFTPFile, ISFTPFilesystem } from './interfaces.js';
import { PacketFramer } from './framer.js';
import { decodeHello, decodeResponse, encodeHello, encodeRequest, type SFTPRequest, type SFTPResponse } from './packets.js';
import { SFTPServer, type SFTPServerOptions } from './server/server.js';
import type { SFTPLimits } from './limits.js';

type Unsent = SFTPRequest extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

/** A file whose operations wait until the test lets them finish, recording their order. */
class SlowFile implements ISFTPFile {
  constructor(readonly log: string[], readonly gate: { wait(): Promise<void> }) {}
  async readChunk(offset: number, length: number) {
    this.log.push(`read ${offset}`);
    await this.gate.wait();
    return new Uint8Array(length).fill(offset & 0xff);
  }
  async writeChunk(offset: number) {
    this.log.push(`write ${offset}`);
    await this.gate.wait();
    this.log.push(`wrote ${offset}`);
  }
  getAttrs() {
    return {};
  }
  setAttrs() {}
  async close() {
    this.log.push('close');
  }
}

/** Opens gated files; `release()` lets every waiting operation go on. */
function gatedFilesystem() {
  const log: string[] = [];
  let waiting: Array<() => void> = [];
  let open = false;
  const gate = { wait: () => (open ? Promise.resolve() : new Promise<void>((r) => waiting.push(r))) };
  const fs: ISFTPFilesystem = {
    openFile: () => new SlowFile(log, gate),
    openDirectory: () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOTDIR' })),
    getAttrs: () => ({}),
    setAttrs: () => undefined,
    removeFile: () => undefined,
    renameFile: () => undefined,
    makeDirectory: () => undefined,
    removeDirectory: () => undefined,
    realPath: (p) => p,
    readLink: () => Promise.reject(Object.assign(new Error('no'), { code: 'EINVAL' })),
    makeLink: () => undefined,
  };
  return {
    fs,
    log,
    release(forever = false) {
      open = forever;
      const w = waiting;
      waiting = [];
      for (const r of w) r();
    },
  };
}

/** A server on a StringTransport, INIT done; `send` a request, `responses()` decodes what came back. */
function harness(fs: ISFTPFilesystem, limits: Partial<SFTPLimits> = {}, options: SFTPServerOptions = {}) {
  const server = new SFTPServer(fs, { ...options, limits });
  const t = new StringTransport();
  server.makeConnection(t);
  server.dataReceived(Buffer.concat(encodeHello({ kind: 'init', version: 3, extensions: [] })));
  const framer = new PacketFramer(1 << 20);
  const version = decodeHello(framer.push(t.value())[0]!);
  t.clear();
  let id = 100;
  return {
    server,
    t,
    version,
    send(req: Unsent): number {
      const rid = id++;
      server.dataReceived(Buffer.concat(encodeRequest({ ...req, id: rid } as SFTPRequest)));
      return rid;
    },
    responses(): SFTPResponse[] {
      const out = framer.push(t.value()).map(decodeResponse);
      t.clear();
      return out;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));
const handle = new TextEncoder().encode('0');

test('VERSION 3 names the OpenSSH extensions; a request before INIT closes the session', () => {
  const h = harness(gatedFilesystem().fs);
  assert.equal(h.version.version, 3);
  assert.deepEqual(h.version.extensions.map(([n]) => n).sort(), ['fstatvfs@openssh.com', 'fsync@openssh.com', 'hardlink@openssh.com', 'limits@openssh.com', 'posix-rename@openssh.com', 'statvfs@openssh.com']);
  const server = new SFTPServer(gatedFilesystem().fs);
  const t = new StringTransport();
  server.makeConnection(t);
  server.dataReceived(Buffer.concat(encodeRequest({ kind: 'stat', id: 1, path: '.' })));
  assert.equal(t.disconnecting, true);
  assert.equal(t.value().length, 0);
});

test('a packet announcing more than maxPacketLength closes the session before it is buffered', () => {
  const h = harness(gatedFilesystem().fs, { maxPacketLength: 1000 });
  h.server.dataReceived(new Uint8Array([0, 0, 0x03, 0xe9, FXP.WRITE]));
  assert.equal(h.t.disconnecting, true);
});

test('an unknown request type is answered OP_UNSUPPORTED; a malformed known one closes the session', async () => {
  const h = harness(gatedFilesystem().fs);
  h.server.dataReceived(new Uint8Array([0, 0, 0, 5, 77, 0, 0, 0, 42]));
  await tick();
  assert.deepEqual(h.responses(), [{ kind: 'status', id: 42, status: FX.OP_UNSUPPORTED, message: 'Operation unsupported', language: '' }]);
  h.server.dataReceived(new Uint8Array([0, 0, 0, 6, FXP.STAT, 0, 0, 0, 43, 9]));
  assert.equal(h.t.disconnecting, true);
});

test('errno errors map to the statuses OpenSSH sends', async () => {
  const h = harness(gatedFilesystem().fs);
  const a = h.send({ kind: 'opendir', path: 'x' });
  const b = h.send({ kind: 'readlink', path: 'x' });
  const c = h.send({ kind: 'read', handle: new Uint8Array([9]), offset: 0, length: 1 });
  await tick();
  await tick();
  const byId = new Map(h.responses().map((r) => [r.id, r]));
  assert.equal((byId.get(a) as { status: number }).status, FX.NO_SUCH_FILE, 'ENOTDIR');
  assert.equal((byId.get(b) as { status: number }).status, FX.BAD_MESSAGE, 'EINVAL');
  assert.equal((byId.get(c) as { status: number }).status, FX.FAILURE, 'an unknown handle');
});

test('maxOpenHandles: one more OPEN fails with FAILURE until a handle is closed', async () => {
  const g = gatedFilesystem();
  g.release(true);
  const h = harness(g.fs, { maxOpenHandles: 2 });
  for (let i = 0; i < 3; i++) h.send({ kind: 'open', path: `f${i}`, pflags: FXF.READ, attrs: {} });
  for (let i = 0; i < 5; i++) await tick();
  const res = h.responses();
  assert.deepEqual(res.map((r) => r.kind), ['handle', 'handle', 'status']);
  assert.equal((res[2] as { status: number }).status, FX.FAILURE);
  h.send({ kind: 'close', handle: (res[0] as { handle: Uint8Array }).handle });
  h.send({ kind: 'open', path: 'again', pflags: FXF.READ, attrs: {} });
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(h.responses().map((r) => r.kind), ['status', 'handle']);
  assert.equal(h.server.openHandles, 2);
});

test('a READ asking for more than maxReadLength gets maxReadLength bytes', async () => {
  const g = gatedFilesystem();
  g.release(true);
  const h = harness(g.fs, { maxReadLength: 1000 });
  h.send({ kind: 'open', path: 'f', pflags: FXF.READ, attrs: {} });
  await tick();
  h.responses();
  h.send({ kind: 'read', handle, offset: 0, length: 4_000_000_000 });
  for (let i = 0; i < 3; i++) await tick();
  const [res] = h.responses();
  assert.equal(res?.kind, 'data');
  assert.equal((res as { data: Uint8Array }).data.length, 1000);
});

test('pipelined READs run side by side; a CLOSE waits for the WRITEs before it and runs alone', async () => {
  const g = gatedFilesystem();
  const h = harness(g.fs);
  h.send({ kind: 'open', path: 'f', pflags: FXF.READ | FXF.WRITE, attrs: {} });
  await tick();
  h.responses();
  for (let i = 0; i < 3; i++) h.send({ kind: 'read', handle, offset: i, length: 1 });
  h.send({ kind: 'write', handle, offset: 10, data: new Uint8Array(1) });
  h.send({ kind: 'write', handle, offset: 20, data: new Uint8Array(1) });
  h.send({ kind: 'close', handle });
  await tick();
  assert.deepEqual(g.log, ['read 0', 'read 1', 'read 2'], 'the three reads started together; the write waits');
  for (let i = 0; i < 6; i++) {
    g.release();
    await tick();
  }
  assert.deepEqual(g.log, ['read 0', 'read 1', 'read 2', 'write 10', 'wrote 10', 'write 20', 'wrote 20', 'close']);
  assert.deepEqual(h.responses().map((r) => r.kind), ['data', 'data', 'data', 'status', 'status', 'status']);
});

test('requests queued past maxQueuedBytes pause the transport, which resumes once they are answered', async () => {
  const g = gatedFilesystem();
  const h = harness(g.fs, { maxQueuedBytes: 2000, maxConcurrentRequests: 1 });
  h.send({ kind: 'open', path: 'f', pflags: FXF.WRITE, attrs: {} });
  await tick();
  h.responses();
  for (let i = 0; i < 4; i++) h.send({ kind: 'write', handle, offset: i * 1000, data: new Uint8Array(1000) });
  assert.equal(h.t.producerState, 'paused');
  g.release(true);
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(h.t.producerState, 'producing');
  assert.equal(h.responses().length, 4);
});

test('a client that cannot be paused and floods twice maxQueuedBytes is disconnected', async () => {
  const g = gatedFilesystem();
  const server = new SFTPServer(g.fs, { limits: { maxQueuedBytes: 2000 } });
  const writes: Uint8Array[] = [];
  let closed = false;
  server.makeConnection({ write: (d) => void writes.push(d as Uint8Array), writeSequence: () => undefined, loseConnection: () => void (closed = true), getPeer: () => ({ type: 'MEMORY' }), getHost: () => ({ type: 'MEMORY' }), disconnecting: false });
  server.dataReceived(Buffer.concat(encodeHello({ kind: 'init', version: 3, extensions: [] })));
  for (let i = 0; i < 6 && !closed; i++) server.dataReceived(Buffer.concat(encodeRequest({ kind: 'write', id: i, handle, offset: 0, data: new Uint8Array(1000) })));
  assert.equal(closed, true);
});

test("while the transport's write buffer is full (pauseProducing) no request is started", async () => {
  const g = gatedFilesystem();
  g.release(true);
  const h = harness(g.fs);
  h.server.pauseProducing();
  h.send({ kind: 'stat', path: 'a' });
  await tick();
  assert.equal(h.responses().length, 0);
  h.server.resumeProducing();
  await tick();
  assert.deepEqual(h.responses().map((r) => r.kind), ['attrs']);
});

test('handles still open when the connection ends are closed', async () => {
  const g = gatedFilesystem();
  g.release(true);
  const h = harness(g.fs);
  h.send({ kind: 'open', path: 'f', pflags: FXF.READ, attrs: {} });
  await tick();
  assert.equal(h.server.openHandles, 1);
  h.t.loseConnection();
  h.server.connectionLost(new (await import('../../defer/index.js')).Failure(new Error('gone')));
  await tick();
  assert.equal(h.server.openHandles, 0);
  assert.deepEqual(g.log, ['close']);
});

test('when the client stops sending (half-close), what it asked is answered before the server closes', async () => {
  const g = gatedFilesystem();
  const h = harness(g.fs);
  h.send({ kind: 'open', path: 'f', pflags: FXF.WRITE, attrs: {} });
  await tick();
  h.responses();
  h.send({ kind: 'write', handle, offset: 0, data: new Uint8Array(10) });
  h.send({ kind: 'close', handle });
  h.server.readConnectionLost();
  await tick();
  assert.equal(h.t.disconnecting, false, 'the WRITE is still under way');
  g.release(true);
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(h.responses().map((r) => r.kind), ['status', 'status']);
  assert.equal(h.t.disconnecting, true);
  assert.equal(h.t.producer, null, 'the server unregistered as producer, so the transport can close');
});

test('a flood of tiny requests counts their holding objects too: the transport is paused after a few', async () => {
  const g = gatedFilesystem();
  const h = harness(g.fs, { maxQueuedBytes: 2000 });
  for (let i = 0; i < 4; i++) h.send({ kind: 'stat', path: 'a' });
  assert.equal(h.t.producerState, 'paused', '4 requests of 13 bytes weigh 4 x (13 + 512)');
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(h.t.producerState, 'producing');
  assert.equal(h.responses().length, 4);
});
