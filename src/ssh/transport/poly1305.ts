/**
 * Poly1305 (RFC 8439 §2.5), which node:crypto does not offer alone: OpenSSH's
 * `chacha20-poly1305@openssh.com` authenticates the packet bytes themselves, not the RFC 8439 AEAD's
 * padded layout, so Node's AEAD cannot stand in.
 *
 * Numbers are held in six 22-bit limbs (132 bits) as doubles: a product of two limbs, even times the 20
 * that folds 2^132 back (2^130 = 5 modulo the prime), stays below 2^50, and a sum of six below 2^53, so
 * all arithmetic is exact; carries divide by a power of two, which is exact too.
 * @module
 */

const BASE = 4194304; // 2^22
const INV = 1 / BASE;

/** Six 22-bit limbs of 16 little-endian bytes at `o` (the 2^128 bit is added by the caller). */
function limbs(b: Uint8Array, o: number, out: Float64Array): void {
  out[0] = b[o]! | (b[o + 1]! << 8) | ((b[o + 2]! & 0x3f) << 16);
  out[1] = (b[o + 2]! >>> 6) | (b[o + 3]! << 2) | (b[o + 4]! << 10) | ((b[o + 5]! & 0x0f) << 18);
  out[2] = (b[o + 5]! >>> 4) | (b[o + 6]! << 4) | (b[o + 7]! << 12) | ((b[o + 8]! & 0x03) << 20);
  out[3] = (b[o + 8]! >>> 2) | (b[o + 9]! << 6) | (b[o + 10]! << 14);
  out[4] = b[o + 11]! | (b[o + 12]! << 8) | ((b[o + 13]! & 0x3f) << 16);
  out[5] = (b[o + 13]! >>> 6) | (b[o + 14]! << 2) | (b[o + 15]! << 10);
}

/**
 * The Poly1305 tag (16 bytes) of `message` under the one-time `key` (32 bytes: r, then s).
 *
 * @example
 * const tag = poly1305(polyKey, packetBytes);
 */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a Poly1305 key has 32 bytes, not ${key.length}`);
  // r, clamped: the top 4 bits of bytes 3, 7, 11, 15 and the low 2 of bytes 4, 8, 12 cleared.
  const k = key.slice(0, 16);
  for (const i of [3, 7, 11, 15]) k[i]! &= 15;
  for (const i of [4, 8, 12]) k[i]! &= 252;
  const t = new Float64Array(6);
  limbs(k, 0, t);
  const r0 = t[0]!, r1 = t[1]!, r2 = t[2]!, r3 = t[3]!, r4 = t[4]!, r5 = t[5]!;
  const s1 = 20 * r1, s2 = 20 * r2, s3 = 20 * r3, s4 = 20 * r4, s5 = 20 * r5;
  let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0;
  const last = new Uint8Array(16);
  for (let offset = 0; offset < message.length; offset += 16) {
    let b = message;
    let o = offset;
    let hibit = 1 << 18; // 2^128
    const left = message.length - offset;
    if (left < 16) {
      // The last, short block: padded with a 1 byte and zeros, and no 2^128 bit.
      last.fill(0);
      last.set(message.subarray(offset));
      last[left] = 1;
      b = last;
      o = 0;
      hibit = 0;
    }
    h0 += b[o]! | (b[o + 1]! << 8) | ((b[o + 2]! & 0x3f) << 16);
    h1 += (b[o + 2]! >>> 6) | (b[o + 3]! << 2) | (b[o + 4]! << 10) | ((b[o + 5]! & 0x0f) << 18);
    h2 += (b[o + 5]! >>> 4) | (b[o + 6]! << 4) | (b[o + 7]! << 12) | ((b[o + 8]! & 0x03) << 20);
    h3 += (b[o + 8]! >>> 2) | (b[o + 9]! << 6) | (b[o + 10]! << 14);
    h4 += b[o + 11]! | (b[o + 12]! << 8) | ((b[o + 13]! & 0x3f) << 16);
    h5 += ((b[o + 13]! >>> 6) | (b[o + 14]! << 2) | (b[o + 15]! << 10)) + hibit;
    let d0 = h0 * r0 + h1 * s5 + h2 * s4 + h3 * s3 + h4 * s2 + h5 * s1;
    let d1 = h0 * r1 + h1 * r0 + h2 * s5 + h3 * s4 + h4 * s3 + h5 * s2;
    let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s5 + h4 * s4 + h5 * s3;
    let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s5 + h5 * s4;
    let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * s5;
    let d5 = h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0;
    let c: number;
    c = Math.floor(d0 * INV); d0 -= c * BASE; d1 += c;
    c = Math.floor(d1 * INV); d1 -= c * BASE; d2 += c;
    c = Math.floor(d2 * INV); d2 -= c * BASE; d3 += c;
    c = Math.floor(d3 * INV); d3 -= c * BASE; d4 += c;
    c = Math.floor(d4 * INV); d4 -= c * BASE; d5 += c;
    c = Math.floor(d5 * INV); d5 -= c * BASE; d0 += c * 20;
    c = Math.floor(d0 * INV); d0 -= c * BASE; d1 += c;
    h0 = d0; h1 = d1; h2 = d2; h3 = d3; h4 = d4; h5 = d5;
  }
  return finish([h0, h1, h2, h3, h4, h5], key);
}

/** Fully reduces `h` modulo 2^130 - 5, adds s and writes the 16-byte tag. */
function finish(h: number[], key: Uint8Array): Uint8Array {
  for (let pass = 0; pass < 3; pass++) {
    let c = 0;
    for (let i = 0; i < 5; i++) {
      h[i]! += c;
      c = Math.floor(h[i]! * INV);
      h[i]! -= c * BASE;
    }
    h[5]! += c;
    // Bits from 2^130 up (the top limb's bits 20 and above) fold back times 5.
    const top = Math.floor(h[5]! / (1 << 20));
    h[5]! -= top * (1 << 20);
    h[0]! += top * 5;
  }
  // h is below 2^130 now; if h >= p, h - p = h + 5 - 2^130 is the answer.
  const g: number[] = [];
  let c = 5;
  for (let i = 0; i < 6; i++) {
    const v = h[i]! + c;
    c = Math.floor(v * INV);
    g[i] = v - c * BASE;
  }
  const x = g[5]! >= 1 << 20 ? g : h;
  if (x === g) g[5]! -= 1 << 20;
  // The low 128 bits, as bytes, plus s.
  const bytes = new Uint8Array(16);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < 6 && n < 16; i++) {
    acc += x[i]! * 2 ** bits;
    bits += 22;
    while (bits >= 8 && n < 16) {
      const byte = acc % 256;
      bytes[n++] = byte;
      acc = (acc - byte) / 256;
      bits -= 8;
    }
  }
  const tag = new Uint8Array(16);
  let carry = 0;
  for (let i = 0; i < 16; i++) {
    const v = bytes[i]! + key[16 + i]! + carry;
    tag[i] = v & 0xff;
    carry = v >>> 8;
  }
  return tag;
}
