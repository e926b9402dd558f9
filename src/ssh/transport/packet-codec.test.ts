/**
 * The packet decoder reads received chunks in place: only a packet cut across chunks is assembled. These
 * tests split streams of packets anywhere, and reuse (overwrite) every chunk fed as soon as the decoder has
 * been told to keep what it still needs, as a transport that recycles its read buffer would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cipherSpec } from './ciphers.js';
import { PacketDecoder, PacketEncoder } from './packet-codec.js';

function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** `count` payloads of random sizes (some large, as channel data) and their wire bytes under `cipher`. */
function stream(cipher: string | undefined, random: () => number, count: number): { payloads: Uint8Array[]; wire: Buffer; decoder: PacketDecoder } {
  const encoder = new PacketEncoder();
  const decoder = new PacketDecoder();
  if (cipher !== undefined) {
    const spec = cipherSpec(cipher)!;
    const keys = { cipher, mac: 'hmac-sha2-256-etm@openssh.com', key: randomBytes(spec.keyLength), iv: randomBytes(spec.ivLength), macKey: randomBytes(32) };
    encoder.setKeys(keys);
    decoder.setKeys(keys);
  }
  const payloads = Array.from({ length: count }, () => {
    const p = new Uint8Array(randomBytes(random() < 0.3 ? 1 + Math.floor(random() * 40000) : 1 + Math.floor(random() * 300)));
    p[0] = 94;
    return p;
  });
  return { payloads, wire: Buffer.concat(payloads.map((p) => encoder.encode(p))), decoder };
}

for (const cipher of [undefined, 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr']) {
  test(`${cipher ?? 'no cipher'}: packets split anywhere decode intact though every chunk fed is overwritten once retained`, () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seeded(seed);
      const { payloads, wire, decoder } = stream(cipher, random, 12);
      const got: Uint8Array[] = [];
      // One reused read buffer, as a transport that recycles it.
      const readBuffer = Buffer.alloc(70000);
      for (let offset = 0; offset < wire.length; ) {
        const size = Math.min(wire.length - offset, 1 + Math.floor(random() * (random() < 0.5 ? 100 : 70000)));
        wire.copy(readBuffer, 0, offset, offset + size);
        offset += size;
        decoder.feed(readBuffer.subarray(0, size));
        for (let p = decoder.next(); p !== null; p = decoder.next()) got.push(p);
        decoder.retain();
        readBuffer.fill(0xee);
      }
      assert.equal(got.length, payloads.length, `seed ${seed}: every packet`);
      for (let i = 0; i < payloads.length; i++) assert.deepEqual(got[i], payloads[i], `seed ${seed}, packet ${i}`);
      assert.equal(decoder.buffered, 0);
    }
  });
}

test('input held across feeds (nothing read) is kept intact while the caller reuses its buffer', () => {
  const random = seeded(7);
  const { payloads, wire, decoder } = stream('aes256-gcm@openssh.com', random, 8);
  const readBuffer = Buffer.alloc(4096);
  for (let offset = 0; offset < wire.length; offset += 4096) {
    const size = Math.min(4096, wire.length - offset);
    wire.copy(readBuffer, 0, offset, offset + size);
    decoder.feed(readBuffer.subarray(0, size));
    decoder.retain();
    readBuffer.fill(0);
  }
  assert.equal(decoder.buffered, wire.length);
  const got: Uint8Array[] = [];
  for (let p = decoder.next(); p !== null; p = decoder.next()) got.push(p);
  assert.deepEqual(got, payloads);
});

test('a large payload decrypted by the cipher is handed out without a copy; one read without a cipher is always a copy', () => {
  const random = seeded(3);
  const big = new Uint8Array(32768);
  big[0] = 94;
  for (const cipher of [undefined, 'aes256-gcm@openssh.com']) {
    const { decoder } = stream(cipher, random, 0);
    const encoder = new PacketEncoder();
    if (cipher !== undefined) {
      const spec = cipherSpec(cipher)!;
      const keys = { cipher, mac: '', key: randomBytes(spec.keyLength), iv: randomBytes(spec.ivLength), macKey: new Uint8Array() };
      encoder.setKeys(keys);
      decoder.setKeys(keys);
    }
    const wire = encoder.encode(big);
    decoder.feed(wire);
    const payload = decoder.next()!;
    assert.deepEqual(payload, big);
    assert.equal(payload.buffer === wire.buffer, false, 'never a view of the caller’s bytes');
  }
});
