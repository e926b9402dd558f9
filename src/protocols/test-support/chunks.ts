/**
 * Helpers for framing tests: feed the same input in chunks of every size, and a seeded random source.
 * @module
 */

/** `data` split into chunks of `size` bytes (the last one shorter). */
export function splitEvery(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` random bytes drawn mostly from `alphabet`, so delimiters and digits show up often. */
export function randomBytes(random: () => number, length: number, alphabet: readonly number[]): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)] : Math.floor(random() * 256);
  return out;
}

/** Random chunk boundaries over `data`. */
export function splitRandom(random: () => number, data: Uint8Array, maxChunk: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    out.push(data.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Latin-1 view of bytes, handy for comparing binary data in assertions. */
export function latin1(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

/** Bytes from a Latin-1 string. */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
