/**
 * Blowfish (Schneier, 1993) as far as bcrypt_pbkdf needs it: the cipher on 64-bit blocks, the key
 * schedule, and the "expensive" schedule of eksblowfish (Provos and Mazières, 1999) that mixes a salt in.
 * The initial state is the fractional part of pi in hexadecimal, by definition; it is computed here once
 * (Machin's formula in BigInt arithmetic) instead of being pasted in as a table of 1,042 constants.
 * @module
 */

/** Words of the P-array, and of the four S-boxes together. */
const P_WORDS = 18;
const S_WORDS = 1024;

let initial: Uint32Array | undefined;

/** `scale` times atan(1/x), by its alternating series. */
function arctanInverse(x: bigint, scale: bigint): bigint {
  let sum = 0n;
  let power = scale / x;
  const x2 = x * x;
  for (let k = 1n; power !== 0n; k += 2n) {
    const term = power / k;
    sum = (k & 2n) === 0n ? sum + term : sum - term;
    power /= x2;
  }
  return sum;
}

/** The first 1,042 words of pi's fractional part: the P-array, then the S-boxes. */
function initialState(): Uint32Array {
  if (initial !== undefined) return initial;
  const words = P_WORDS + S_WORDS;
  const guard = 64n;
  const bits = BigInt(words * 32) + guard;
  const scale = 1n << bits;
  const pi = 16n * arctanInverse(5n, scale) - 4n * arctanInverse(239n, scale);
  let fraction = (pi & (scale - 1n)) >> guard;
  const out = new Uint32Array(words);
  for (let i = words - 1; i >= 0; i--) {
    out[i] = Number(fraction & 0xffffffffn);
    fraction >>= 32n;
  }
  initial = out;
  return out;
}

/** Reads 32-bit big-endian words from `data`, cycling around it (OpenBSD's `Blowfish_stream2word`). */
class WordStream {
  #j = 0;
  constructor(private readonly data: Uint8Array) {}
  next(): number {
    const d = this.data;
    let w = 0;
    for (let i = 0; i < 4; i++) {
      if (this.#j >= d.length) this.#j = 0;
      w = (w << 8) | d[this.#j++];
    }
    return w >>> 0;
  }
}

/** One Blowfish state: its P-array and S-boxes, mutable through the key schedules. */
export class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  /** The two halves of the block `encrypt` works on, to avoid allocating a pair per block. */
  left = 0;
  right = 0;

  /** A state with pi's digits, keyed with `key` if given (the plain Blowfish key schedule). */
  constructor(key?: Uint8Array) {
    const init = initialState();
    this.p = init.slice(0, P_WORDS);
    this.s = init.slice(P_WORDS);
    if (key !== undefined) this.expand0(key);
  }

  /** Encrypts the block held in `left`/`right` in place. */
  encrypt(): void {
    const p = this.p;
    const s = this.s;
    let l = this.left;
    let r = this.right;
    for (let i = 0; i < 16; i += 2) {
      l ^= p[i];
      r ^= (((s[l >>> 24] + s[256 | ((l >>> 16) & 0xff)]) ^ s[512 | ((l >>> 8) & 0xff)]) + s[768 | (l & 0xff)]) | 0;
      r ^= p[i + 1];
      l ^= (((s[r >>> 24] + s[256 | ((r >>> 16) & 0xff)]) ^ s[512 | ((r >>> 8) & 0xff)]) + s[768 | (r & 0xff)]) | 0;
    }
    this.left = (r ^ p[17]) >>> 0;
    this.right = (l ^ p[16]) >>> 0;
  }

  /** Encrypts one 8-byte block. */
  encryptBlock(block: Uint8Array): Uint8Array {
    const view = new DataView(block.buffer, block.byteOffset, 8);
    this.left = view.getUint32(0);
    this.right = view.getUint32(4);
    this.encrypt();
    const out = new Uint8Array(8);
    const outView = new DataView(out.buffer);
    outView.setUint32(0, this.left);
    outView.setUint32(4, this.right);
    return out;
  }

  /**
   * The key schedule with a salt (`Blowfish_expandstate`): `key` is XORed into the P-array, then the whole
   * state is replaced by successive encryptions, each block first XORed with the next words of `data`.
   * Without `data` this is the plain Blowfish key schedule (`Blowfish_expand0state`).
   */
  expand(key: Uint8Array, data?: Uint8Array): void {
    const keyStream = new WordStream(key);
    for (let i = 0; i < P_WORDS; i++) this.p[i] ^= keyStream.next();
    const dataStream = data === undefined ? undefined : new WordStream(data);
    this.left = 0;
    this.right = 0;
    const fill = (table: Uint32Array): void => {
      for (let i = 0; i < table.length; i += 2) {
        if (dataStream !== undefined) {
          this.left ^= dataStream.next();
          this.right ^= dataStream.next();
        }
        this.encrypt();
        table[i] = this.left;
        table[i + 1] = this.right;
      }
    };
    fill(this.p);
    fill(this.s);
  }

  /** The plain key schedule (`Blowfish_expand0state`). */
  expand0(key: Uint8Array): void {
    this.expand(key);
  }
}
