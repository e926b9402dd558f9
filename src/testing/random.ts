/**
 * Seeded randomness for fuzz tests: a failing case is replayed from its seed.
 * @module
 */

/**
 * A deterministic generator of numbers in [0, 1) (mulberry32): the same `seed` gives the same sequence,
 * so a fuzz test that loops over seeds can name the one that failed and it can be run again alone.
 *
 * @example
 * for (let seed = 1; seed <= 300; seed++) {
 *   const random = seededRandom(seed);
 *   const input = randomBytes(random, 200, [0x0d, 0x0a]);
 *   assert.deepEqual(parseAll(splitRandom(random, input, 16)), parseAll([input]), `seed ${seed}`);
 * }
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` random bytes, seven in ten drawn from `alphabet` (a protocol's delimiters, digits, escapes) so
 * the interesting cases come up often, the rest from all 256 values.
 */
export function randomBytes(random: () => number, length: number, alphabet: readonly number[]): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = alphabet.length > 0 && random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
  }
  return out;
}
