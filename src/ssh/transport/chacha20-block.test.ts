import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { seededRandom } from '../../testing/index.js';
import { chacha20Block, chachaKeyWords } from './chacha20-block.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/g, ''), 'hex');

function blockBytes(words: Uint32Array): Buffer {
  const out = Buffer.alloc(64);
  for (let i = 0; i < 16; i++) out.writeUInt32LE(words[i]!, 4 * i);
  return out;
}

test('chacha20Block: the RFC 8439 §2.3.2 test vector', () => {
  const key = hex('00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f');
  // Nonce 00:00:00:09:00:00:00:4a:00:00:00:00, block counter 1, as state words 12 to 15.
  const out = new Uint32Array(16);
  chacha20Block(chachaKeyWords(key), 1, 0x09000000, 0x4a000000, 0, out);
  const expected = hex(`10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
    d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e`);
  assert.deepEqual(blockBytes(out), expected);
});

test('chacha20Block: agrees with OpenSSL (node:crypto chacha20) on random keys, counters and nonces', () => {
  const random = seededRandom(8439);
  const word = () => Math.floor(random() * 0x100000000) >>> 0;
  const out = new Uint32Array(16);
  for (let round = 0; round < 200; round++) {
    const key = Buffer.from(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)));
    const state = [round < 5 ? 0xffffffff : word(), word(), word(), word()] as const;
    // OpenSSL's 16-byte IV is state words 12 to 15, little-endian.
    const iv = Buffer.alloc(16);
    state.forEach((w, i) => iv.writeUInt32LE(w, 4 * i));
    chacha20Block(chachaKeyWords(key), ...state, out);
    assert.deepEqual(blockBytes(out), createCipheriv('chacha20', key, iv).update(Buffer.alloc(64)), `round ${round}`);
  }
});

test('chachaKeyWords: a key of another length is refused', () => {
  assert.throws(() => chachaKeyWords(new Uint8Array(16)), RangeError);
});
