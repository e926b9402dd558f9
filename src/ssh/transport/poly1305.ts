/**
 * Poly1305 (RFC 8439 §2.5), which node:crypto does not offer alone: OpenSSH's
 * `chacha20-poly1305@openssh.com` authenticates the packet bytes themselves, not the RFC 8439 AEAD's
 * padded layout, so Node's AEAD cannot stand in. Numbers are held in ten 13-bit limbs, and each limb of a
 * product is summed in two halves of five terms, carried in between, so every sum stays below 2^32 and
 * 32-bit integer operations suffice; the loop is unrolled for speed.
 * @module
 */

function le16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/**
 * The Poly1305 tag (16 bytes) of `message` under the one-time `key` (32 bytes: r, then s).
 *
 * @example
 * const tag = poly1305(polyKey, packetBytes);
 */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a Poly1305 key has 32 bytes, not ${key.length}`);
  // r, clamped (the top 4 bits of bytes 3, 7, 11, 15 and the low 2 of 4, 8, 12 cleared), in 13-bit limbs.
  const k = key.slice(0, 16);
  k[3]! &= 15; k[7]! &= 15; k[11]! &= 15; k[15]! &= 15;
  k[4]! &= 252; k[8]! &= 252; k[12]! &= 252;
  const t0 = le16(k, 0), t1 = le16(k, 2), t2 = le16(k, 4), t3 = le16(k, 6);
  const t4 = le16(k, 8), t5 = le16(k, 10), t6 = le16(k, 12), t7 = le16(k, 14);
  const r0 = t0 & 0x1fff;
  const r1 = ((t0 >>> 13) | (t1 << 3)) & 0x1fff;
  const r2 = ((t1 >>> 10) | (t2 << 6)) & 0x1fff;
  const r3 = ((t2 >>> 7) | (t3 << 9)) & 0x1fff;
  const r4 = ((t3 >>> 4) | (t4 << 12)) & 0x1fff;
  const r5 = (t4 >>> 1) & 0x1fff;
  const r6 = ((t4 >>> 14) | (t5 << 2)) & 0x1fff;
  const r7 = ((t5 >>> 11) | (t6 << 5)) & 0x1fff;
  const r8 = ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
  const r9 = t7 >>> 5;
  // A limb that passes 2^130 wraps around times 5 (2^130 = 5 modulo the prime).
  const s1 = 5 * r1, s2 = 5 * r2, s3 = 5 * r3, s4 = 5 * r4, s5 = 5 * r5, s6 = 5 * r6, s7 = 5 * r7, s8 = 5 * r8, s9 = 5 * r9;
  let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0, h8 = 0, h9 = 0;
  const last = new Uint8Array(16);
  for (let offset = 0; offset < message.length; offset += 16) {
    let m = message;
    let o = offset;
    let hibit = 1 << 11;
    const left = message.length - offset;
    if (left < 16) {
      // The last, short block: padded with a 1 byte and zeros, and no 2^128 bit.
      last.set(message.subarray(offset));
      last[left] = 1;
      m = last;
      o = 0;
      hibit = 0;
    }
    const m0 = le16(m, o), m1 = le16(m, o + 2), m2 = le16(m, o + 4), m3 = le16(m, o + 6);
    const m4 = le16(m, o + 8), m5 = le16(m, o + 10), m6 = le16(m, o + 12), m7 = le16(m, o + 14);
    h0 += m0 & 0x1fff;
    h1 += ((m0 >>> 13) | (m1 << 3)) & 0x1fff;
    h2 += ((m1 >>> 10) | (m2 << 6)) & 0x1fff;
    h3 += ((m2 >>> 7) | (m3 << 9)) & 0x1fff;
    h4 += ((m3 >>> 4) | (m4 << 12)) & 0x1fff;
    h5 += (m4 >>> 1) & 0x1fff;
    h6 += ((m4 >>> 14) | (m5 << 2)) & 0x1fff;
    h7 += ((m5 >>> 11) | (m6 << 5)) & 0x1fff;
    h8 += ((m6 >>> 8) | (m7 << 8)) & 0x1fff;
    h9 += (m7 >>> 5) | hibit;
    let c = 0;
    let d0 = c + h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6;
    c = d0 >>> 13;
    d0 &= 0x1fff;
    d0 += h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1;
    c += d0 >>> 13;
    d0 &= 0x1fff;
    let d1 = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7;
    c = d1 >>> 13;
    d1 &= 0x1fff;
    d1 += h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2;
    c += d1 >>> 13;
    d1 &= 0x1fff;
    let d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8;
    c = d2 >>> 13;
    d2 &= 0x1fff;
    d2 += h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3;
    c += d2 >>> 13;
    d2 &= 0x1fff;
    let d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9;
    c = d3 >>> 13;
    d3 &= 0x1fff;
    d3 += h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4;
    c += d3 >>> 13;
    d3 &= 0x1fff;
    let d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    c = d4 >>> 13;
    d4 &= 0x1fff;
    d4 += h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5;
    c += d4 >>> 13;
    d4 &= 0x1fff;
    let d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1;
    c = d5 >>> 13;
    d5 &= 0x1fff;
    d5 += h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6;
    c += d5 >>> 13;
    d5 &= 0x1fff;
    let d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2;
    c = d6 >>> 13;
    d6 &= 0x1fff;
    d6 += h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7;
    c += d6 >>> 13;
    d6 &= 0x1fff;
    let d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3;
    c = d7 >>> 13;
    d7 &= 0x1fff;
    d7 += h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8;
    c += d7 >>> 13;
    d7 &= 0x1fff;
    let d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4;
    c = d8 >>> 13;
    d8 &= 0x1fff;
    d8 += h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9;
    c += d8 >>> 13;
    d8 &= 0x1fff;
    let d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5;
    c = d9 >>> 13;
    d9 &= 0x1fff;
    d9 += h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
    c += d9 >>> 13;
    d9 &= 0x1fff;
    c = (c * 5 + d0) | 0;
    d0 = c & 0x1fff;
    d1 += c >>> 13;
    h0 = d0; h1 = d1; h2 = d2; h3 = d3; h4 = d4; h5 = d5; h6 = d6; h7 = d7; h8 = d8; h9 = d9;
  }
  return finish([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9], key);
}

/** Fully reduces `h` modulo 2^130 - 5, adds s and writes the 16-byte tag. */
function finish(h: number[], key: Uint8Array): Uint8Array {
  let c = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 10; i++) {
      const v = h[i]! + c;
      h[i] = v % 8192;
      c = (v - h[i]!) / 8192;
    }
    h[0]! += c * 5;
    c = 0;
  }
  // h is now below 2^130; if h >= p, h - p = h + 5 - 2^130 is the answer.
  const g: number[] = [];
  c = 5;
  for (let i = 0; i < 10; i++) {
    const v = h[i]! + c;
    g[i] = v % 8192;
    c = (v - g[i]!) / 8192;
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
