/**
 * One ChaCha20 block (RFC 8439 §2.3) in JavaScript. `chacha20-poly1305@openssh.com` needs a single
 * block per packet twice over (the length's key stream and the Poly1305 key): computing those here costs
 * far less than setting up a `node:crypto` cipher for 64 bytes.
 * @module
 */

/** "expand 32-byte k", the first four words of every ChaCha20 state. */
const S0: number = 0x61707865, S1: number = 0x3320646e, S2: number = 0x79622d32, S3: number = 0x6b206574;

/** A 32-byte key as the eight little-endian words the state holds. */
export function chachaKeyWords(key: Uint8Array): Uint32Array {
  if (key.length !== 32) throw new RangeError(`a ChaCha20 key has 32 bytes, not ${key.length}`);
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = (key[4 * i]! | (key[4 * i + 1]! << 8) | (key[4 * i + 2]! << 16) | (key[4 * i + 3]! << 24)) >>> 0;
  return words;
}

/**
 * Writes into `out` the sixteen words of the key stream block for `key` (from {@link chachaKeyWords}) and
 * state words 12 to 15 (`w12`..`w15`: the block counter and nonce, as RFC 8439 lays them out, or OpenSSH's
 * 64-bit counter and 64-bit nonce). Byte `i` of the key stream is byte `i % 4` (little-endian) of word `i >> 2`.
 *
 * @example
 * chacha20Block(chachaKeyWords(key), 1, 0x09000000, 0x4a000000, 0, words);
 */
export function chacha20Block(key: Uint32Array, w12: number, w13: number, w14: number, w15: number, out: Uint32Array): void {
  let x0 = S0, x1 = S1, x2 = S2, x3 = S3;
  let x4 = key[0]!, x5 = key[1]!, x6 = key[2]!, x7 = key[3]!;
  let x8 = key[4]!, x9 = key[5]!, x10 = key[6]!, x11 = key[7]!;
  let x12 = w12 >>> 0, x13 = w13 >>> 0, x14 = w14 >>> 0, x15 = w15 >>> 0;
  // Ten double rounds: four column quarter rounds, then four diagonal ones (RFC 8439 §2.1, §2.3).
  for (let i = 0; i < 10; i++) {
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);

    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
  }
  // The block is the final state plus the initial one, word by word (a Uint32Array store wraps mod 2^32).
  out[0] = x0 + S0; out[1] = x1 + S1; out[2] = x2 + S2; out[3] = x3 + S3;
  out[4] = x4 + key[0]!; out[5] = x5 + key[1]!; out[6] = x6 + key[2]!; out[7] = x7 + key[3]!;
  out[8] = x8 + key[4]!; out[9] = x9 + key[5]!; out[10] = x10 + key[6]!; out[11] = x11 + key[7]!;
  out[12] = x12 + w12; out[13] = x13 + w13; out[14] = x14 + w14; out[15] = x15 + w15;
}
