/**
 * Mutations of valid payloads for the service fuzz tests: truncations, flipped bytes, lengths set to
 * huge values, junk appended, or random bytes behind a real message number. Not public API.
 * @module
 */
import { randomBytes } from '../../testing/index.js';

/** One mutation of `payload`, chosen by `random`; the message number is kept most of the time. */
export function mutate(random: () => number, payload: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const out = Uint8Array.from(payload);
  switch (pick(5)) {
    case 0:
      return out.subarray(0, 1 + pick(Math.max(1, out.length - 1)));
    case 1:
      for (let i = 0, n = 1 + pick(4); i < n; i++) out[1 + pick(Math.max(1, out.length - 1))] = pick(256);
      return out;
    case 2: {
      // A length field (any 4 bytes) set to a huge or off-by-one value.
      if (out.length < 5) return out;
      const at = 1 + pick(out.length - 4);
      const value = [0xffffffff, 0x7fffffff, out.length, out.length - at + 1][pick(4)];
      new DataView(out.buffer, out.byteOffset).setUint32(at, value >>> 0);
      return out;
    }
    case 3: {
      const junk = randomBytes(random, 1 + pick(40), [0, 0xff, 1]);
      const both = new Uint8Array(out.length + junk.length);
      both.set(out);
      both.set(junk, out.length);
      return both;
    }
    default: {
      const noise = randomBytes(random, pick(64), [0, 0, 0, 1, 0xff]);
      const both = new Uint8Array(noise.length + 1);
      both[0] = out[0];
      both.set(noise, 1);
      return both;
    }
  }
}
