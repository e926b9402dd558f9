import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitEvery } from '../../testing/index.js';
import { longname, modeString, readAttrs, writeAttrs, type SFTPAttrs } from './attrs.js';
import { FXP } from './constants.js';
import { SFTPPacketTooLongError, SFTPProtocolError } from './errors.js';
import { decodeServerLimits, decodeStatVFS, encodeServerLimits, encodeStatVFS } from './extensions.js';
import { PacketFramer } from './framer.js';
import { decodeHello, decodeRequest, decodeResponse, encodeHello, encodeRequest, encodeResponse } from './packets.js';
import { PacketReader, PacketWriter } from './wire.js';
import { attrs, big, REQUESTS, RESPONSES } from './test-support/vectors.js';

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

test('every request and response encodes and decodes to itself, through the framer at every split size', () => {
  const stream = concat([...REQUESTS.flatMap(encodeRequest)]);
  for (const size of [1, 2, 3, 5, 7, 64, 4096, stream.length]) {
    const framer = new PacketFramer(300_000);
    const bodies = splitEvery(stream, size).flatMap((c) => framer.push(c));
    assert.deepEqual(bodies.map((b) => decodeRequest(b)), REQUESTS, `split ${size}`);
  }
  const framer = new PacketFramer(300_000);
  const bodies = concat(RESPONSES.flatMap(encodeResponse));
  assert.deepEqual(framer.push(bodies).map(decodeResponse), RESPONSES);
});

test('INIT and VERSION keep their extension pairs, up to the maximum', () => {
  const hello = { kind: 'version' as const, version: 3, extensions: [['a@x', '1'], ['b@x', '2']] as Array<[string, string]> };
  const [body] = new PacketFramer(1000).push(concat(encodeHello(hello)));
  assert.deepEqual(decodeHello(body!), hello);
  assert.deepEqual(decodeHello(body!, 1).extensions, [['a@x', '1']]);
  assert.throws(() => decodeHello(new Uint8Array([FXP.OPEN, 0, 0, 0, 3])), SFTPProtocolError);
});

test('a large WRITE or DATA is not copied into the packet: its bytes are a chunk of their own', () => {
  const chunks = encodeRequest(REQUESTS[3]!);
  assert.ok(chunks.includes(big));
  assert.ok(encodeResponse(RESPONSES[2]!).includes(big));
});

test('truncated packets, trailing bytes and out-of-range numbers are SFTPProtocolError', () => {
  for (const req of REQUESTS) {
    const body = new PacketFramer(300_000).push(concat(encodeRequest(req)))[0]!;
    if (req.kind !== 'extended') assert.throws(() => decodeRequest(body.subarray(0, body.length - 1)), SFTPProtocolError, req.kind);
    if (req.kind !== 'extended') assert.throws(() => decodeRequest(concat([body, new Uint8Array([0])])), SFTPProtocolError, `${req.kind} + 1`);
  }
  assert.throws(() => new PacketReader(new Uint8Array([0x00, 0x20, 0, 0, 0, 0, 0, 0])).uint64(), SFTPProtocolError, 'past 2^53');
  assert.equal(decodeRequest(new Uint8Array([99, 0, 0, 0, 1])), undefined, 'unknown type: undefined, to be answered OP_UNSUPPORTED');
  assert.throws(() => decodeResponse(new Uint8Array([99, 0, 0, 0, 1])), SFTPProtocolError);
});

test('counts the packet cannot hold are refused before any allocation or loop', () => {
  // NAME announcing 4 billion names in a 9-byte packet.
  assert.throws(() => decodeResponse(new Uint8Array([FXP.NAME, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])), /cannot fit/);
  // ATTRS announcing 4 billion extended pairs.
  const w = new PacketWriter().uint32(0x80000000).uint32(0xffffffff);
  assert.throws(() => readAttrs(new PacketReader(w.bytes().subarray(4))), /cannot fit/);
  // A string longer than the packet.
  assert.throws(() => new PacketReader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1])).string(), SFTPProtocolError);
});

test('the framer refuses a length over the maximum as soon as the 4 length bytes are in, holding nothing more', () => {
  const framer = new PacketFramer(1024);
  assert.deepEqual(framer.push(new Uint8Array([0, 0, 4])), []);
  assert.throws(() => framer.push(new Uint8Array([1])), SFTPPacketTooLongError);
  assert.ok(framer.buffered <= 4);
  assert.throws(() => new PacketFramer(1024).push(new Uint8Array([0xff, 0xff, 0xff, 0xff])), SFTPPacketTooLongError);
  assert.throws(() => new PacketFramer(1024).push(new Uint8Array([0, 0, 0, 0])), SFTPProtocolError, 'empty packet');
  const exact = new PacketFramer(3);
  assert.deepEqual(exact.push(new Uint8Array([0, 0, 0, 3, 1, 2, 3])), [new Uint8Array([1, 2, 3])]);
});

test('attributes: only the fields present travel; uid/gid and atime/mtime go in pairs', () => {
  const roundTrip = (a: SFTPAttrs): SFTPAttrs => {
    const w = new PacketWriter();
    writeAttrs(w, a);
    const r = new PacketReader(w.bytes().subarray(4));
    const out = readAttrs(r);
    r.end();
    return out;
  };
  assert.deepEqual(roundTrip({}), {});
  assert.deepEqual(roundTrip(attrs), attrs);
  assert.deepEqual(roundTrip({ uid: 5 }), {}, 'a uid without a gid is not sent');
  assert.deepEqual(roundTrip({ mtime: 5 }), {}, 'an mtime without an atime is not sent');
  assert.deepEqual(roundTrip({ size: 0, permissions: 0 }), { size: 0, permissions: 0 });
});

test('statvfs and limits reply bodies round-trip, a 64-bit filesystem id included', () => {
  const vfs = { bsize: 4096, frsize: 4096, blocks: 1e9, bfree: 5e8, bavail: 4e8, files: 1e7, ffree: 9e6, favail: 9e6, fsid: 0xfedcba9876543210n, flag: 2, namemax: 255 };
  assert.deepEqual(decodeStatVFS(encodeStatVFS(vfs)), vfs);
  const limits = { maxPacketLength: 263168, maxReadLength: 261120, maxWriteLength: 261120, maxOpenHandles: 1024 };
  assert.deepEqual(decodeServerLimits(encodeServerLimits(limits)), limits);
});

test('long names are `ls -l` lines: type and mode bits, links, owner, group, size, date, name', () => {
  const now = Date.UTC(2026, 11, 5) / 1000;
  const recent = Date.UTC(2026, 10, 3, 9, 7) / 1000;
  const old = Date.UTC(2020, 0, 9) / 1000;
  assert.equal(longname('notes.txt', { permissions: 0o100644, uid: 1000, gid: 100, size: 1234, mtime: recent }, now, 1), '-rw-r--r--   1 1000     100          1234 Nov  3 09:07 notes.txt');
  assert.equal(longname('src', { permissions: 0o040755, uid: 0, gid: 0, size: 4096, mtime: old }, now, 12), 'drwxr-xr-x  12 0        0            4096 Jan  9  2020 src');
  assert.equal(modeString(0o120777), 'lrwxrwxrwx');
  assert.equal(modeString(0o104755), '-rwsr-xr-x');
  assert.equal(modeString(0o102644), '-rw-r-Sr--');
  assert.equal(modeString(0o041777), 'drwxrwxrwt');
  assert.equal(modeString(0o041776), 'drwxrwxrwT');
});
