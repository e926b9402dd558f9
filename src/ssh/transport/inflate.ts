/**
 * A streaming zlib inflater (RFC 1950, RFC 1951) for `zlib@openssh.com`, sans I/O and synchronous.
 * node:zlib's synchronous calls each start a new stream, and SSH compresses one stream across all packets
 * of a direction, flushed (with Z_PARTIAL_FLUSH in OpenSSH: not byte-aligned) at each packet. So each
 * packet's bytes are decoded whole block by block; a block cut off by the end of the packet (only the
 * empty alignment block of a flush, from a well-behaved peer) is kept, with its bit position, for the next.
 * @module
 */

import { TorsionError } from '../../errors/index.js';

/** The input ended inside a block: decode it again when more bytes come. */
class NeedMore {}

/** The compressed data is not valid zlib/deflate, or would inflate past the limit. */
export class InflateError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_INFLATE';
}

interface Huffman {
  /** How many codes of each length 0..15. */
  counts: Uint16Array;
  /** Symbols in canonical order. */
  symbols: Uint16Array;
}

const WINDOW = 32 * 1024;
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Builds the canonical Huffman code of `lengths`; refuses over-subscribed sets (incomplete ones are allowed, as zlib does for distances). */
function build(lengths: ArrayLike<number>): Huffman {
  const counts = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]!]!++;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = left * 2 - counts[len]!;
    if (left < 0) throw new InflateError('over-subscribed Huffman code');
  }
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len]! + counts[len]!;
  const symbols = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) symbols[offsets[lengths[s]!]!++] = s;
  counts[0] = 0;
  return { counts, symbols };
}

const FIXED_LITERALS = build(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DISTANCES = build(new Array(30).fill(5));

/** Inflates one zlib stream delivered in flushed pieces. */
export class Inflater {
  #headerDone = false;
  #ended = false;
  /** The last 32 KiB of output, which back-references may reach into. */
  #history = new Uint8Array(0);
  /** Bytes of the block cut off at the end of the last piece, and how many of its first byte's bits were used. */
  #pending = new Uint8Array(0);
  #pendingBits = 0;
  // Bit reader state over the current input.
  #input = new Uint8Array(0);
  #pos = 0;
  #bitBuf = 0;
  #bitCount = 0;
  #out = new Uint8Array(0);
  #outLength = 0;
  #limit = 0;

  /** The output of `piece`, at most `maxOutput` bytes; throws {@link InflateError}. */
  inflate(piece: Uint8Array, maxOutput: number): Uint8Array {
    const input = new Uint8Array(this.#pending.length + piece.length);
    input.set(this.#pending);
    input.set(piece, this.#pending.length);
    this.#input = input;
    this.#pos = 0;
    this.#bitBuf = 0;
    this.#bitCount = 0;
    if (this.#pendingBits > 0) this.#bits(this.#pendingBits);
    const h = this.#history.length;
    this.#out = new Uint8Array(h + Math.min(maxOutput, Math.max(1024, piece.length * 4)));
    this.#out.set(this.#history);
    this.#outLength = h;
    this.#limit = h + maxOutput;
    if (!this.#headerDone) {
      if (input.length < 2) {
        this.#pending = input;
        return new Uint8Array(0);
      }
      const cmf = input[0]!;
      const flg = input[1]!;
      if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0 || flg & 0x20) throw new InflateError('not a zlib stream header');
      this.#pos = 2;
      this.#headerDone = true;
    }
    for (;;) {
      const mark = { pos: this.#pos, bitBuf: this.#bitBuf, bitCount: this.#bitCount, out: this.#outLength };
      if (this.#pos >= input.length && this.#bitCount === 0) break;
      if (this.#ended) throw new InflateError('data after the final deflate block');
      try {
        this.#block();
      } catch (e) {
        if (!(e instanceof NeedMore)) throw e;
        this.#outLength = mark.out;
        // Keep the cut block: from the byte holding its first unread bit.
        const usedBits = (8 - (mark.bitCount % 8)) % 8;
        const startByte = mark.pos - Math.ceil(mark.bitCount / 8);
        this.#pending = input.slice(startByte);
        this.#pendingBits = usedBits;
        return this.#finish(h);
      }
    }
    this.#pending = new Uint8Array(0);
    this.#pendingBits = 0;
    return this.#finish(h);
  }

  #finish(h: number): Uint8Array {
    const all = this.#out.subarray(0, this.#outLength);
    this.#history = all.slice(Math.max(0, all.length - WINDOW));
    return all.slice(h);
  }

  #bits(n: number): number {
    while (this.#bitCount < n) {
      if (this.#pos >= this.#input.length) throw new NeedMore();
      this.#bitBuf |= this.#input[this.#pos++]! << this.#bitCount;
      this.#bitCount += 8;
    }
    const value = this.#bitBuf & ((1 << n) - 1);
    this.#bitBuf >>>= n;
    this.#bitCount -= n;
    return value;
  }

  #emit(byte: number): void {
    if (this.#outLength >= this.#limit) throw new InflateError('inflated data over the limit');
    if (this.#outLength === this.#out.length) {
      const bigger = new Uint8Array(Math.min(this.#limit, this.#out.length * 2));
      bigger.set(this.#out);
      this.#out = bigger;
    }
    this.#out[this.#outLength++] = byte;
  }

  #block(): void {
    const final = this.#bits(1);
    const type = this.#bits(2);
    if (type === 0) this.#stored();
    else if (type === 1) this.#codes(FIXED_LITERALS, FIXED_DISTANCES);
    else if (type === 2) this.#dynamic();
    else throw new InflateError('invalid deflate block type');
    if (final) this.#ended = true;
  }

  #stored(): void {
    // Skip to the byte boundary; whole bytes already in the bit buffer are given back.
    this.#pos -= this.#bitCount >> 3;
    this.#bitBuf = 0;
    this.#bitCount = 0;
    if (this.#pos + 4 > this.#input.length) throw new NeedMore();
    const i = this.#input;
    const len = i[this.#pos]! | (i[this.#pos + 1]! << 8);
    const nlen = i[this.#pos + 2]! | (i[this.#pos + 3]! << 8);
    if (len !== (~nlen & 0xffff)) throw new InflateError('stored block length check failed');
    if (this.#pos + 4 + len > i.length) throw new NeedMore();
    this.#pos += 4;
    for (let k = 0; k < len; k++) this.#emit(i[this.#pos++]!);
  }

  #decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.#bits(1);
      const count = h.counts[len]!;
      if (code - count < first) return h.symbols[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError('invalid Huffman code');
  }

  #codes(literals: Huffman, distances: Huffman): void {
    for (;;) {
      const symbol = this.#decode(literals);
      if (symbol < 256) {
        this.#emit(symbol);
        continue;
      }
      if (symbol === 256) return;
      const li = symbol - 257;
      if (li >= 29) throw new InflateError('invalid length symbol');
      const length = LENGTH_BASE[li]! + this.#bits(LENGTH_EXTRA[li]!);
      const di = this.#decode(distances);
      if (di >= 30) throw new InflateError('invalid distance symbol');
      const distance = DIST_BASE[di]! + this.#bits(DIST_EXTRA[di]!);
      if (distance > this.#outLength) throw new InflateError('a distance too far back');
      for (let k = 0; k < length; k++) this.#emit(this.#out[this.#outLength - distance]!);
    }
  }

  #dynamic(): void {
    const nlen = this.#bits(5) + 257;
    const ndist = this.#bits(5) + 1;
    const ncode = this.#bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError('bad dynamic block counts');
    const codeLengths = new Array<number>(19).fill(0);
    for (let k = 0; k < ncode; k++) codeLengths[CODE_LENGTH_ORDER[k]!] = this.#bits(3);
    const lencode = build(codeLengths);
    const lengths: number[] = [];
    while (lengths.length < nlen + ndist) {
      const symbol = this.#decode(lencode);
      if (symbol < 16) {
        lengths.push(symbol);
        continue;
      }
      let repeat: number;
      let value = 0;
      if (symbol === 16) {
        if (lengths.length === 0) throw new InflateError('a repeat with no previous length');
        value = lengths[lengths.length - 1]!;
        repeat = 3 + this.#bits(2);
      } else if (symbol === 17) {
        repeat = 3 + this.#bits(3);
      } else {
        repeat = 11 + this.#bits(7);
      }
      if (lengths.length + repeat > nlen + ndist) throw new InflateError('too many code lengths');
      for (let k = 0; k < repeat; k++) lengths.push(value);
    }
    if (lengths[256] === 0) throw new InflateError('no end-of-block code');
    this.#codes(build(lengths.slice(0, nlen)), build(lengths.slice(nlen)));
  }
}
