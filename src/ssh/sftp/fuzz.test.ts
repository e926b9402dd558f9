import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom, splitRandom, StringTransport } from '../../testing/index.js';
import { SFTPClient } from './client/client.js';
import { FXP } from './constants.js';
import { SFTPPacketTooLongError, SFTPProtocolError } from './errors.js';
import type { ISFTPFilesystem } from './interfaces.js';
import { PacketFramer } from './framer.js';
import { decodeRequest, decodeResponse, encodeHello, encodeRequest, encodeResponse } from './packets.js';
import { SFTPServer } from './server/server.js';
import { REQUESTS, RESPONSES } from './test-support/vectors.js';

const MAX = 4096;
const isCodecError = (e: unknown) => e instanceof SFTPProtocolError || e instanceof SFTPPacketTooLongError;

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/** A valid stream, mutated: bytes flipped, lengths changed, cut short, random tails. */
function mutatedStream(random: () => number): Uint8Array {
  const parts = [...REQUESTS.slice(0, 18), ...REQUESTS.slice(0, 18)].filter(() => random() < 0.5).flatMap(encodeRequest);
  const base = concat(parts.length > 0 ? parts : encodeRequest(REQUESTS[0]!));
  const out = base.slice();
  const flips = Math.floor(random() * 12);
  for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
  return concat([out.subarray(0, Math.floor(random() * out.length) + 1), randomBytes(random, Math.floor(random() * 64), [0, 0xff, FXP.NAME, FXP.EXTENDED])]);
}

test('fuzz: the framer and decoders, fed mutated streams in random chunks, throw only codec errors and hold at most one packet', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const random = seededRandom(seed);
    const stream = mutatedStream(random);
    const framer = new PacketFramer(MAX);
    try {
      for (const chunk of splitRandom(random, stream, 300)) {
        for (const body of framer.push(chunk)) {
          assert.ok(body.length <= MAX, `seed ${seed}: a packet over the maximum came out`);
          try {
            decodeRequest(body);
          } catch (e) {
            assert.ok(isCodecError(e), `seed ${seed}: decodeRequest threw ${String(e)}`);
          }
          try {
            decodeResponse(body);
          } catch (e) {
            assert.ok(isCodecError(e), `seed ${seed}: decodeResponse threw ${String(e)}`);
          }
        }
        assert.ok(framer.buffered <= MAX + 4 + 300, `seed ${seed}: the framer holds ${framer.buffered} bytes`);
      }
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(isCodecError(e), `seed ${seed}: the framer threw ${String(e)}`);
    }
  }
});

test('fuzz: responses survive any chunking unchanged', () => {
  const stream = concat(RESPONSES.flatMap(encodeResponse));
  for (let seed = 1; seed <= 100; seed++) {
    const framer = new PacketFramer(300_000);
    const bodies = splitRandom(seededRandom(seed), stream, 997).flatMap((c) => framer.push(c));
    assert.deepEqual(bodies.map(decodeResponse), RESPONSES, `seed ${seed}`);
  }
});

/** A filesystem on which every call fails: the fuzzed server must answer statuses, not crash. */
const nothing: ISFTPFilesystem = new Proxy({} as ISFTPFilesystem, {
  get: (_t, name) => (name === 'then' ? undefined : () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOENT' }))),
});

test('fuzz: an SFTPServer fed garbage after INIT answers or closes, and never throws', async () => {
  for (let seed = 1; seed <= 150; seed++) {
    const random = seededRandom(seed);
    const server = new SFTPServer(nothing, { limits: { maxPacketLength: MAX } });
    const t = new StringTransport();
    server.makeConnection(t);
    server.dataReceived(concat(encodeHello({ kind: 'init', version: 3, extensions: [] })));
    for (const chunk of splitRandom(random, mutatedStream(random), 200)) server.dataReceived(chunk);
    await new Promise((r) => setImmediate(r));
    assert.ok(t.value().length > 0, `seed ${seed}: VERSION at least`);
  }
});

test('fuzz: an SFTPClient fed garbage fails its requests with SFTP errors and closes', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const random = seededRandom(seed);
    const client = new SFTPClient({ limits: { maxPacketLength: MAX } });
    const t = new StringTransport();
    client.makeConnection(t);
    client.dataReceived(concat(encodeHello({ kind: 'version', version: 3, extensions: [] })));
    const failures: unknown[] = [];
    for (let i = 0; i < 5; i++) client.stat(`f${i}`).addErrback((f) => void failures.push(f.value));
    const garbage = concat([...RESPONSES.map((r) => ({ ...r, id: Math.floor(random() * 8) })).flatMap(encodeResponse)]);
    for (let i = 0; i < 20; i++) garbage[Math.floor(random() * garbage.length)] = Math.floor(random() * 256);
    for (const chunk of splitRandom(random, garbage, 500)) client.dataReceived(chunk);
    for (const f of failures) assert.ok(f instanceof Error && 'code' in f && String(f.code).startsWith('TORSION_SFTP_'), `seed ${seed}: ${String(f)}`);
  }
});
