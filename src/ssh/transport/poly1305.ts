/**
 * Poly1305 (RFC 8439 §2.5), which node:crypto does not offer alone: OpenSSH's
 * `chacha20-poly1305@openssh.com` authenticates the packet bytes themselves, not the RFC 8439 AEAD's
 * padded layout, so Node's AEAD cannot stand in. The block loop runs in WebAssembly
 * (`poly1305-wasm.ts`); the key set-up and the final reduction are here.
 * @module
 */
import { MESSAGE_OFFSET, polyBlocks } from './poly1305-wasm.js';

const MASK = 0x3ffffff;
const PAGE = 65536;

function le32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * The Poly1305 tag (16 bytes) of `message` under the one-time `key` (32 bytes: r, then s).
 *
 * @example
 * const tag = poly1305(polyKey, packetBytes);
 */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a Poly1305 key has 32 bytes, not ${key.length}`);
  const { memory, blocks } = polyBlocks();
  const need = MESSAGE_OFFSET + message.length + 16;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  const bytes = new Uint8Array(memory.buffer);
  const words = new Uint32Array(memory.buffer, 0, 20);
  // r, clamped (the top 4 bits of bytes 3, 7, 11, 15 and the low 2 of bytes 4, 8, 12 cleared), in 26-bit limbs.
  const k = key.slice(0, 16);
  for (const i of [3, 7, 11, 15]) k[i]! &= 15;
  for (const i of [4, 8, 12]) k[i]! &= 252;
  words.fill(0);
  words[10] = le32(k, 0) & MASK;
  words[12] = (le32(k, 3) >>> 2) & MASK;
  words[14] = (le32(k, 6) >>> 4) & MASK;
  words[16] = (le32(k, 9) >>> 6) & MASK;
  words[18] = le32(k, 12) >>> 8;
  const full = message.length - (message.length % 16);
  bytes.set(message.subarray(0, full), MESSAGE_OFFSET);
  blocks(MESSAGE_OFFSET, full, 1 << 24);
  if (full < message.length) {
    // The last, short block: padded with a 1 byte and zeros, and no 2^128 bit.
    const last = new Uint8Array(16);
    last.set(message.subarray(full));
    last[message.length - full] = 1;
    bytes.set(last, MESSAGE_OFFSET);
    blocks(MESSAGE_OFFSET, 16, 0);
  }
  return finish([words[0]!, words[2]!, words[4]!, words[6]!, words[8]!], key);
}

/** Fully reduces h (five 26-bit limbs, each a little over) modulo 2^130 - 5, adds s and writes the tag. */
function finish(h: number[], key: Uint8Array): Uint8Array {
  let c = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 5; i++) {
      h[i]! += c;
      c = h[i]! >>> 26;
      h[i]! &= MASK;
    }
    h[0]! += c * 5;
    c = 0;
  }
  // h is below 2^130 now; if h >= p, h - p = h + 5 - 2^130 is the answer.
  const g: number[] = [];
  c = 5;
  for (let i = 0; i < 5; i++) {
    const v = h[i]! + c;
    g[i] = v & MASK;
    c = v >>> 26;
  }
  const x = c > 0 ? g : h;
  const w = [
    (x[0]! | (x[1]! << 26)) >>> 0,
    ((x[1]! >>> 6) | (x[2]! << 20)) >>> 0,
    ((x[2]! >>> 12) | (x[3]! << 14)) >>> 0,
    ((x[3]! >>> 18) | (x[4]! << 8)) >>> 0,
  ];
  const tag = new Uint8Array(16);
  let carry = 0;
  for (let i = 0; i < 4; i++) {
    const v = w[i]! + le32(key, 16 + 4 * i) + carry;
    carry = v >= 0x100000000 ? 1 : 0;
    const word = v >>> 0;
    tag[4 * i] = word & 0xff;
    tag[4 * i + 1] = (word >>> 8) & 0xff;
    tag[4 * i + 2] = (word >>> 16) & 0xff;
    tag[4 * i + 3] = word >>> 24;
  }
  return tag;
}
