/**
 * bcrypt_pbkdf (OpenBSD's libutil, 2013), the key derivation of OpenSSH's `openssh-key-v1` passphrases:
 * PBKDF2's outer structure with a bcrypt-based hash in place of HMAC, and each output byte spread across
 * the key so every byte costs all the rounds.
 * @module
 */
import { createHash } from 'node:crypto';
import { Blowfish } from './blowfish.js';

/** Bytes of one bcrypt hash. */
const HASH_BYTES = 32;
/** The plaintext bcrypt_hash encrypts: its 32 bytes as 8 big-endian words. */
const MAGIC = new TextEncoder().encode('OxychromaticBlowfishSwatDynamite');

const sha512 = (data: Uint8Array): Uint8Array => createHash('sha512').update(data).digest();

/** bcrypt_hash: 64 rounds of eksblowfish over SHA-512 digests of the passphrase and the salt. */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const state = new Blowfish();
  state.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    state.expand0(sha2salt);
    state.expand0(sha2pass);
  }
  const view = new DataView(MAGIC.buffer, MAGIC.byteOffset, MAGIC.length);
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(4 * i);
  for (let n = 0; n < 64; n++) {
    for (let i = 0; i < 8; i += 2) {
      state.left = words[i];
      state.right = words[i + 1];
      state.encrypt();
      words[i] = state.left;
      words[i + 1] = state.right;
    }
  }
  // The words come out little-endian, as OpenBSD's implementation writes them.
  const out = new Uint8Array(HASH_BYTES);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(4 * i, words[i], true);
  return out;
}

/**
 * `keyLength` bytes derived from `passphrase` and `salt` with `rounds` rounds. The caller bounds `rounds`
 * (the cost is linear in it and a key file chooses it).
 */
export function bcryptPbkdf(passphrase: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number): Uint8Array {
  if (rounds < 1 || keyLength < 1 || keyLength > HASH_BYTES * HASH_BYTES) throw new RangeError('bcrypt_pbkdf: rounds and key length must be positive, the key at most 1024 bytes');
  const stride = Math.ceil(keyLength / HASH_BYTES);
  const perBlock = Math.ceil(keyLength / stride);
  const key = new Uint8Array(keyLength);
  const sha2pass = sha512(passphrase);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  for (let count = 1, left = keyLength; left > 0; count++) {
    new DataView(countSalt.buffer).setUint32(salt.length, count);
    let block = bcryptHash(sha2pass, sha512(countSalt));
    const out = Uint8Array.from(block);
    for (let r = 1; r < rounds; r++) {
      block = bcryptHash(sha2pass, sha512(block));
      for (let i = 0; i < HASH_BYTES; i++) out[i] ^= block[i];
    }
    // Spread the block's bytes across the key: byte i goes to i * stride + (count - 1).
    const amount = Math.min(perBlock, left);
    let i = 0;
    for (; i < amount; i++) {
      const dest = i * stride + (count - 1);
      if (dest >= keyLength) break;
      key[dest] = out[i];
    }
    left -= i;
  }
  return key;
}
