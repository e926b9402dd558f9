import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../testing/index.js';
import { chacha20Block, chachaKeyWords } from './chacha20-block.js';
import { poly1305 } from './poly1305.js';
import { poly1305Matches } from './poly1305-check.js';

/** A ChaCha20 key, an RFC 8439 nonce, block 0 of their stream (the one-time key) and its 32 bytes. */
function oneTimeKey(random: () => number): { key: Buffer; nonce: Buffer; block0: Uint32Array; polyKey: Buffer } {
  const key = Buffer.from(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)));
  const nonce = Buffer.from(Uint8Array.from({ length: 12 }, () => Math.floor(random() * 256)));
  const block0 = new Uint32Array(16);
  chacha20Block(chachaKeyWords(key), 0, nonce.readUInt32LE(0), nonce.readUInt32LE(4), nonce.readUInt32LE(8), block0);
  const polyKey = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) polyKey.writeUInt32LE(block0[i]!, 4 * i);
  return { key, nonce, block0, polyKey };
}

test('poly1305Matches: the tag Poly1305 computes (checked against RFC 8439 in poly1305.test.ts) matches, for every short-block length', () => {
  const random = seededRandom(130);
  const lengths = [0, 1, 4, 12, 15, 16, 17, 31, 32, 36, 44, 100, 1028, 32772, 32780];
  for (const length of lengths) {
    for (let round = 0; round < 20; round++) {
      const { key, nonce, block0, polyKey } = oneTimeKey(random);
      const message = Uint8Array.from({ length }, () => (round % 2 === 0 ? 0xff : Math.floor(random() * 256)));
      const tag = Buffer.from(poly1305(polyKey, message));
      assert.ok(poly1305Matches(key, nonce, block0, message, tag), `length ${length}, round ${round}`);
    }
  }
});

test('poly1305Matches: a changed tag, message or one-time key does not match', () => {
  const random = seededRandom(5);
  for (let round = 0; round < 40; round++) {
    const { key, nonce, block0, polyKey } = oneTimeKey(random);
    const message = Buffer.from(Uint8Array.from({ length: 4 + 8 * Math.floor(random() * 100) }, () => Math.floor(random() * 256)));
    const tag = Buffer.from(poly1305(polyKey, message));
    // Every single-bit change of the tag, and the tag plus or minus one (the neighbouring accumulators).
    for (let bit = 0; bit < 128; bit++) {
      const wrong = Buffer.from(tag);
      wrong[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(poly1305Matches(key, nonce, block0, message, wrong), false, `round ${round}, bit ${bit}`);
    }
    for (const delta of [1n, -1n, 5n]) {
      const value = (tag.readBigUInt64LE(0) | (tag.readBigUInt64LE(8) << 64n)) + delta;
      const wrong = Buffer.alloc(16);
      wrong.writeBigUInt64LE(value & 0xffffffffffffffffn, 0);
      wrong.writeBigUInt64LE((value >> 64n) & 0xffffffffffffffffn, 8);
      assert.equal(poly1305Matches(key, nonce, block0, message, wrong), false, `round ${round}, tag ${delta}`);
    }
    const changed = Buffer.from(message);
    changed[Math.floor(random() * changed.length)]! ^= 0x01;
    assert.equal(poly1305Matches(key, nonce, block0, changed, tag), false, `round ${round}, message`);
    const otherNonce = Buffer.from(nonce);
    otherNonce[11]! ^= 0x80;
    assert.equal(poly1305Matches(key, otherNonce, block0, message, tag), false, `round ${round}, nonce`);
  }
});
