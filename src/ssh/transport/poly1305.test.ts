import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { seededRandom } from '../../testing/index.js';
import { poly1305 } from './poly1305.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[^0-9a-f]/g, ''), 'hex'));

test('poly1305: the RFC 8439 §2.5.2 test vector', () => {
  const key = hex('85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b');
  const tag = poly1305(key, new TextEncoder().encode('Cryptographic Forum Research Group'));
  assert.equal(Buffer.from(tag).toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('poly1305: h at the modulus edge (RFC 8439 appendix A.3 vectors 5 and 6)', () => {
  const ones = new Uint8Array(16).fill(0xff);
  const key5 = hex('02' + '00'.repeat(31));
  assert.equal(Buffer.from(poly1305(key5, ones)).toString('hex'), '03' + '00'.repeat(15));
  const key6 = hex('02' + '00'.repeat(15) + 'ff'.repeat(16));
  assert.equal(Buffer.from(poly1305(key6, hex('02' + '00'.repeat(15)))).toString('hex'), '03' + '00'.repeat(15));
});

/**
 * Node's RFC 8439 AEAD tag is Poly1305 of a known layout (ciphertext, zero padding, the two lengths)
 * under the first 32 bytes of the ChaCha20 key stream: the same tag from this Poly1305 over that layout
 * checks it against OpenSSL for random keys and lengths.
 */
test('poly1305: agrees with OpenSSL (through the RFC 8439 AEAD) on random keys and lengths', () => {
  const random = seededRandom(1305);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  for (let round = 0; round < 300; round++) {
    const key = bytes(32);
    const nonce = bytes(12);
    const length = Math.floor(random() * 200);
    const aead = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const ciphertext = aead.update(bytes(length));
    aead.final();
    const expected = aead.getAuthTag();
    const polyKey = createCipheriv('chacha20', key, Buffer.concat([Buffer.alloc(4), nonce])).update(Buffer.alloc(32));
    const padded = Buffer.alloc(Math.ceil(length / 16) * 16 + 16);
    padded.set(ciphertext);
    padded.writeUInt32LE(length, padded.length - 8);
    assert.deepEqual(Buffer.from(poly1305(polyKey, padded)), expected, `round ${round}`);
  }
});

/** Poly1305 straight from its definition, with BigInt: slow, obviously right. */
function reference(key: Uint8Array, message: Uint8Array): Uint8Array {
  const le = (b: Uint8Array) => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let h = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const block = message.subarray(i, i + 16);
    h = ((h + le(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  let tag = (h + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
  return out;
}

test('poly1305: the largest limbs (r and message bytes all 0xff) and random inputs agree with a BigInt reference', () => {
  const extremes = [new Uint8Array(32).fill(0xff), Uint8Array.from({ length: 32 }, (_, i) => (i < 16 ? 0xff : 0))];
  for (const key of extremes) {
    for (const length of [0, 1, 15, 16, 17, 64, 1000, 4096]) {
      const message = new Uint8Array(length).fill(0xff);
      assert.deepEqual(poly1305(key, message), reference(key, message), `length ${length}`);
    }
  }
  const random = seededRandom(42);
  for (let round = 0; round < 200; round++) {
    const key = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
    const message = Uint8Array.from({ length: Math.floor(random() * 300) }, () => (random() < 0.5 ? 0xff : Math.floor(random() * 256)));
    assert.deepEqual(poly1305(key, message), reference(key, message), `round ${round}`);
  }
});
