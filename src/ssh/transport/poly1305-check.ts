/**
 * Checks the Poly1305 tag of `chacha20-poly1305@openssh.com` with OpenSSL's Poly1305 instead of
 * computing it in WebAssembly (several times slower, and the packet had to be copied in first).
 * node:crypto offers Poly1305 only inside the RFC 8439 AEAD, whose tag covers another layout: given the
 * message M as associated data and no ciphertext, it is Poly1305 of M zero-padded to 16 bytes, then a
 * block of the two lengths. Both start from the same one-time key (block 0 of the same ChaCha20 stream),
 * and Poly1305 is a polynomial in r, so the two accumulators are tied by one known equation:
 *
 *     A' = (A + Δ·r + ℓ)·r  (mod p = 2^130 - 5)
 *
 * with A the accumulator over M as OpenSSH pads it (a short last block of k bytes gets a 1 byte, so it
 * is worth 2^(8k) less than the AEAD's full block with its 2^128 bit: Δ = 2^128 - 2^(8k), 0 when k = 0)
 * and ℓ the lengths block (|M| + 2^128). A tag is the accumulator plus s, mod 2^128: the received tag
 * leaves A's two top bits open, so each of the (at most four) values it allows goes through the equation
 * and must land on the AEAD's tag. The right tag always does (the equation is exact); a wrong one gives
 * accumulators different from A, which land on it only for a handful of values of r among 2^106 (the
 * map is a bijection for r ≠ 0): a forgery's odds stay Poly1305's own, give or take that handful.
 * @module
 */
import { createCipheriv } from 'node:crypto';

const P = (1n << 130n) - 5n;
const TWO_128 = 1n << 128n;
const LOW_128 = TWO_128 - 1n;
/** Δ by the length of the short last block (0 to 15 bytes). */
const DELTA = Array.from({ length: 16 }, (_, k) => (k === 0 ? 0n : TWO_128 - (1n << BigInt(8 * k))));

function le128(b: Buffer): bigint {
  return b.readBigUInt64LE(0) | (b.readBigUInt64LE(8) << 64n);
}

function words128(w: Uint32Array, at: number): bigint {
  return BigInt(w[at]!) | (BigInt(w[at + 1]!) << 32n) | (BigInt(w[at + 2]!) << 64n) | (BigInt(w[at + 3]!) << 96n);
}

/**
 * True when `tag` is the Poly1305 tag of `message` under the one-time key that is block 0 of ChaCha20
 * with `key` (32 bytes) and the RFC 8439 `nonce` (12 bytes); `block0` holds that block's first eight words
 * (r, then s), which the caller has computed anyway.
 *
 * The arithmetic on the one-time key is BigInt, not constant-time: each key checks one packet, and a
 * connection ends at the first tag that fails.
 */
export function poly1305Matches(key: Uint8Array, nonce: Uint8Array, block0: Uint32Array, message: Uint8Array, tag: Buffer): boolean {
  const aead = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  aead.setAAD(message, { plaintextLength: 0 });
  aead.final();
  const s = words128(block0, 4);
  const target = (le128(aead.getAuthTag()) - s) & LOW_128;
  const r = words128(block0, 0) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const shift = (DELTA[message.length % 16]! * r + BigInt(message.length) + TWO_128) % P;
  const low = (le128(tag) - s) & LOW_128;
  let matches = false;
  for (let top = 0n; top < 4n; top++) {
    const a = low + top * TWO_128;
    if (a < P && (((a + shift) * r) % P & LOW_128) === target) matches = true;
  }
  return matches;
}
