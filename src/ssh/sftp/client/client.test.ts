import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoResult, StringTransport, successResultOf, failureResultOf } from '../../../testing/index.js';
import { FX, FXF, FXP } from '../constants.js';
import { SFTPProtocolError, SFTPStatusError } from '../errors.js';
import { encodeServerLimits } from '../extensions.js';
import { PacketFramer } from '../framer.js';
import { decodeHello, decodeRequest, encodeHello, encodeResponse, type SFTPRequest, type SFTPResponse } from '../packets.js';
import { SFTPClient, openFlags } from './client.js';

/** A client on a StringTransport; `requests()` decodes what it sent, `reply()` feeds it a response. */
function harness(extensions: Array<[string, string]> = []) {
  const client = new SFTPClient();
  const t = new StringTransport();
  client.makeConnection(t);
  const framer = new PacketFramer(1 << 20);
  const hello = decodeHello(framer.push(t.value())[0]!);
  t.clear();
  client.dataReceived(Buffer.concat(encodeHello({ kind: 'version', version: 3, extensions })));
  return {
    client,
    t,
    hello,
    requests(): SFTPRequest[] {
      const out = framer.push(t.value()).map((b) => decodeRequest(b)!);
      t.clear();
      return out;
    },
    reply(res: SFTPResponse) {
      client.dataReceived(Buffer.concat(encodeResponse(res)));
    },
  };
}

test('the client sends INIT version 3 on connection and is ready on VERSION', () => {
  const h = harness();
  assert.deepEqual(h.hello, { kind: 'init', version: 3, extensions: [] });
  assert.equal(successResultOf(h.client.whenReady()), h.client);
  assert.equal(h.client.serverVersion, 3);
});

test('with limits@openssh.com, the client asks for the limits first and lowers its chunk sizes to them', () => {
  const client = new SFTPClient();
  const t = new StringTransport();
  client.makeConnection(t);
  t.clear();
  client.dataReceived(Buffer.concat(encodeHello({ kind: 'version', version: 3, extensions: [['limits@openssh.com', '1']] })));
  const ready = client.whenReady();
  assertNoResult(ready);
  const [req] = new PacketFramer(1 << 20).push(t.value()).map((b) => decodeRequest(b)!);
  assert.equal(req?.kind === 'extended' && req.request, 'limits@openssh.com');
  client.dataReceived(Buffer.concat(encodeResponse({ kind: 'extendedReply', id: req!.id, data: encodeServerLimits({ maxPacketLength: 34000, maxReadLength: 16384, maxWriteLength: 40000, maxOpenHandles: 10 }) })));
  successResultOf(ready);
  assert.equal(client.readChunkSize, 16384);
  assert.equal(client.writeChunkSize, 34000 - 1024, 'kept under the packet limit');
});

test('without stated limits the client sends 32 KiB; with them, up to 256 KiB; chosen sizes are only lowered', () => {
  const limitsReply = (client: SFTPClient, t: StringTransport, l: { maxPacketLength: number; maxReadLength: number; maxWriteLength: number; maxOpenHandles: number }) => {
    const [req] = new PacketFramer(1 << 20).push(t.value()).map((b) => decodeRequest(b)!);
    client.dataReceived(Buffer.concat(encodeResponse({ kind: 'extendedReply', id: req!.id, data: encodeServerLimits(l) })));
  };
  const plain = harness();
  assert.equal(plain.client.readChunkSize, 32 * 1024);
  const generous = { maxPacketLength: 1 << 20, maxReadLength: 1 << 20, maxWriteLength: 200_000, maxOpenHandles: 0 };
  for (const [options, read, write] of [
    [{}, 256 * 1024, 200_000],
    [{ readChunkSize: 4096, writeChunkSize: 300_000 }, 4096, 200_000],
  ] as const) {
    const client = new SFTPClient(options);
    const t = new StringTransport();
    client.makeConnection(t);
    t.clear();
    client.dataReceived(Buffer.concat(encodeHello({ kind: 'version', version: 3, extensions: [['limits@openssh.com', '1']] })));
    limitsReply(client, t, generous);
    assert.deepEqual([client.readChunkSize, client.writeChunkSize], [read, write]);
  }
});

test('each request gets its own Deferred, matched by id whatever the order of the answers', () => {
  const h = harness();
  const a = h.client.stat('a');
  const b = h.client.read(new Uint8Array([1]), 0, 10);
  const c = h.client.read(new Uint8Array([1]), 10, 10);
  const [ra, rb, rc] = h.requests();
  h.reply({ kind: 'status', id: rc!.id, status: FX.EOF, message: '', language: '' });
  h.reply({ kind: 'data', id: rb!.id, data: new Uint8Array([7, 7]) });
  h.reply({ kind: 'status', id: ra!.id, status: FX.PERMISSION_DENIED, message: 'Permission denied', language: '' });
  const err = failureResultOf(a).value;
  assert.ok(err instanceof SFTPStatusError && err.code === 'TORSION_SFTP_PERMISSION_DENIED');
  assert.deepEqual([...successResultOf(b)!], [7, 7]);
  assert.equal(successResultOf(c), null);
});

test('an answer to no outstanding request is a protocol error: everything outstanding fails, the connection closes', () => {
  const h = harness();
  const pending = h.client.stat('a');
  h.requests();
  h.reply({ kind: 'status', id: 999, status: FX.OK, message: '', language: '' });
  assert.ok(failureResultOf(pending).value instanceof SFTPProtocolError);
  assert.equal(h.t.disconnecting, true);
});

test('a reply of the wrong kind fails the request', () => {
  const h = harness();
  const pending = h.client.stat('a');
  const [req] = h.requests();
  h.reply({ kind: 'handle', id: req!.id, handle: new Uint8Array([1]) });
  assert.ok(failureResultOf(pending).value instanceof SFTPProtocolError);
});

test('open flags: Node-style strings map to SFTP pflags', () => {
  assert.equal(openFlags('r'), FXF.READ);
  assert.equal(openFlags('w'), FXF.WRITE | FXF.CREAT | FXF.TRUNC);
  assert.equal(openFlags('wx'), FXF.WRITE | FXF.CREAT | FXF.EXCL);
  assert.equal(openFlags('a+'), FXF.READ | FXF.WRITE | FXF.CREAT | FXF.APPEND);
  assert.equal(openFlags(FXF.READ | FXF.EXCL), FXF.READ | FXF.EXCL);
  assert.throws(() => openFlags('q' as 'r'), TypeError);
});

test('a request cancelled by the caller fails with CancelledError; its late answer is dropped', () => {
  const h = harness();
  const pending = h.client.stat('a');
  const [req] = h.requests();
  pending.cancel();
  assert.equal(failureResultOf(pending).value.name, 'CancelledError');
  h.reply({ kind: 'attrs', id: req!.id, attrs: {} });
  assert.equal(h.t.disconnecting, false);
  assert.equal(h.client.outstanding, 0);
});

test('a DATA packet arriving in pieces whose string length disagrees with the packet is a protocol error', async () => {
  const tick = () => new Promise((r) => setImmediate(r));
  const h = harness();
  const pending = h.client.download('f', () => undefined);
  await tick();
  const [open] = h.requests();
  h.reply({ kind: 'handle', id: open!.id, handle: new Uint8Array([1]) });
  await tick();
  const reads = h.requests().filter((r) => r.kind === 'read');
  assert.ok(reads.length > 0);
  // type DATA, the id, a string length of 100, but 200 bytes of packet after it; sent in two chunks.
  const body = new Uint8Array(4 + 9 + 200);
  const v = new DataView(body.buffer);
  v.setUint32(0, 9 + 200);
  body[4] = FXP.DATA;
  v.setUint32(5, reads[0]!.id);
  v.setUint32(9, 100);
  h.client.dataReceived(body.subarray(0, 50));
  h.client.dataReceived(body.subarray(50));
  assert.equal(h.t.disconnecting, true);
  await assert.rejects(pending, SFTPProtocolError);
});
