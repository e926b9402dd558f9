/**
 * Byte helpers shared by the framings. Browser-safe: only `Uint8Array`, `TextEncoder` and `TextDecoder`.
 * @module
 */
import { PROTOCOL_LIMITS } from './limits.js';

export { toBytes, concatBytes } from '../internet/bytes.js';

const decoder = new TextDecoder();
/** The empty array every empty {@link ByteBuffer} starts with (nothing is ever written into it). */
const EMPTY = new Uint8Array(0);

/** Decodes UTF-8 bytes (a line, a netstring) to a string; invalid sequences become U+FFFD. */
export function decodeUtf8(data: Uint8Array): string {
  return decoder.decode(data);
}

/**
 * The index of the first occurrence of `needle` in `haystack` at or after `from`, or -1.
 * Scans for the first byte with the native `indexOf` (memchr speed) and checks the rest by hand,
 * which beats a generic substring search for the short delimiters protocols use.
 */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const nl = needle.length;
  if (nl === 1) return haystack.indexOf(first, from);
  const last = haystack.length - nl;
  let i = haystack.indexOf(first, from);
  while (i >= 0 && i <= last) {
    let k = 1;
    while (k < nl && haystack[i + k] === needle[k]) k++;
    if (k === nl) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}

/**
 * A growable byte buffer that appends in amortised O(1) per byte, so a partial frame arriving one byte at a
 * time costs linear, not quadratic, copying.
 */
export class ByteBuffer {
  // Shared while empty: a server holds a buffer per connection, and most never keep a partial line.
  #bytes = EMPTY;
  #length = 0;

  /** How many bytes it holds. */
  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `data`. */
  append(data: Uint8Array): void {
    const need = this.#length + data.length;
    if (need > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.#bytes.length * 2, 256));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(data, this.#length);
    this.#length = need;
  }

  /** A view of the bytes held; valid until the next `append` or `clear`. */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** The byte at `index` (no bounds check beyond the array's own). */
  at(index: number): number {
    return this.#bytes[index];
  }

  /** Removes and returns a copy of everything held. */
  take(): Uint8Array {
    const out = this.#bytes.slice(0, this.#length);
    this.clear();
    return out;
  }

  /** Forgets everything held, releasing large allocations. */
  clear(): void {
    this.#length = 0;
    if (this.#bytes.length > PROTOCOL_LIMITS.retainedBuffer) this.#bytes = EMPTY;
  }
}
