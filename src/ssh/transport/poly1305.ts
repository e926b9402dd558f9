/**
 * Poly1305 (RFC 8439 §2.5), which node:crypto does not offer alone: OpenSSH's
 * `chacha20-poly1305@openssh.com` authenticates the packet bytes themselves, not the RFC 8439 AEAD's
 * padded layout, so Node's AEAD cannot stand in. Numbers are held in ten 13-bit limbs, so every product
 * and sum stays exact in a double.
 * @module
 */

const LIMBS = 10;
const MASK = 0x1fff;

function le16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** Splits 16 little-endian bytes into ten 13-bit limbs (the top limb holds the last 11 bits). */
function toLimbs(b: Uint8Array, o: number, out: Float64Array): void {
  const t0 = le16(b, o), t1 = le16(b, o + 2), t2 = le16(b, o + 4), t3 = le16(b, o + 6);
  const t4 = le16(b, o + 8), t5 = le16(b, o + 10), t6 = le16(b, o + 12), t7 = le16(b, o + 14);
  out[0] = t0 & MASK;
  out[1] = ((t0 >>> 13) | (t1 << 3)) & MASK;
  out[2] = ((t1 >>> 10) | (t2 << 6)) & MASK;
  out[3] = ((t2 >>> 7) | (t3 << 9)) & MASK;
  out[4] = ((t3 >>> 4) | (t4 << 12)) & MASK;
  out[5] = (t4 >>> 1) & MASK;
  out[6] = ((t4 >>> 14) | (t5 << 2)) & MASK;
  out[7] = ((t5 >>> 11) | (t6 << 5)) & MASK;
  out[8] = ((t6 >>> 8) | (t7 << 8)) & MASK;
  out[9] = t7 >>> 5;
}

/**
 * The Poly1305 tag (16 bytes) of `message` under the one-time `key` (32 bytes: r, then s).
 *
 * @example
 * const tag = poly1305(polyKey, packetBytes);
 */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a Poly1305 key has 32 bytes, not ${key.length}`);
  const clamped = key.slice(0, 16);
  for (const i of [3, 7, 11, 15]) clamped[i]! &= 15;
  for (const i of [4, 8, 12]) clamped[i]! &= 252;
  const r = new Float64Array(LIMBS);
  toLimbs(clamped, 0, r);
  const r5 = r.map((x) => x * 5);
  const h = new Float64Array(LIMBS);
  const m = new Float64Array(LIMBS);
  const d = new Float64Array(LIMBS);
  const block = new Uint8Array(16);

  for (let offset = 0; offset < message.length; offset += 16) {
    const left = message.length - offset;
    let hibit = 1 << 11;
    if (left >= 16) {
      toLimbs(message, offset, m);
    } else {
      // The last, short block: padded with a 1 byte and zeros, and no 2^128 bit.
      block.fill(0);
      block.set(message.subarray(offset));
      block[left] = 1;
      toLimbs(block, 0, m);
      hibit = 0;
    }
    for (let i = 0; i < LIMBS; i++) h[i] += m[i]!;
    h[9] += hibit;
    // h *= r modulo 2^130 - 5: a limb that passes 2^130 wraps around times 5.
    for (let i = 0; i < LIMBS; i++) {
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += h[j]! * r[i - j]!;
      for (let j = i + 1; j < LIMBS; j++) sum += h[j]! * r5[i - j + LIMBS]!;
      d[i] = sum;
    }
    let c = 0;
    for (let i = 0; i < LIMBS; i++) {
      const v = d[i]! + c;
      c = Math.floor(v / 8192);
      h[i] = v - c * 8192;
    }
    h[0] += c * 5;
    c = Math.floor(h[0]! / 8192);
    h[0] -= c * 8192;
    h[1] += c;
  }
  return finish(h, key);
}

/** Fully reduces `h` modulo 2^130 - 5, adds s and writes the 16-byte tag. */
function finish(h: Float64Array, key: Uint8Array): Uint8Array {
  let c = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < LIMBS; i++) {
      const v = h[i]! + c;
      c = Math.floor(v / 8192);
      h[i] = v - c * 8192;
    }
    h[0] += c * 5;
    c = 0;
  }
  // h is now below 2^130; if h >= p, h - p = h + 5 - 2^130 is the answer.
  const g = new Float64Array(LIMBS);
  c = 5;
  for (let i = 0; i < LIMBS; i++) {
    const v = h[i]! + c;
    c = Math.floor(v / 8192);
    g[i] = v - c * 8192;
  }
  const x = c > 0 ? g : h;
  const words = [
    (x[0]! | (x[1]! << 13)) & 0xffff,
    ((x[1]! >>> 3) | (x[2]! << 10)) & 0xffff,
    ((x[2]! >>> 6) | (x[3]! << 7)) & 0xffff,
    ((x[3]! >>> 9) | (x[4]! << 4)) & 0xffff,
    ((x[4]! >>> 12) | (x[5]! << 1) | (x[6]! << 14)) & 0xffff,
    ((x[6]! >>> 2) | (x[7]! << 11)) & 0xffff,
    ((x[7]! >>> 5) | (x[8]! << 8)) & 0xffff,
    ((x[8]! >>> 8) | (x[9]! << 5)) & 0xffff,
  ];
  const tag = new Uint8Array(16);
  let carry = 0;
  for (let i = 0; i < 8; i++) {
    const v = words[i]! + le16(key, 16 + 2 * i) + carry;
    tag[2 * i] = v & 0xff;
    tag[2 * i + 1] = (v >>> 8) & 0xff;
    carry = v >>> 16;
  }
  return tag;
}
