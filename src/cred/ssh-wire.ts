/**
 * The SSH wire encodings keys and signatures use (RFC 4251 §5): `uint32`, `string` and `mpint`, read with
 * every length checked against what is left, and written.
 * @module
 */
import { BadKeyError } from './errors.js';

/** The longest algorithm or curve name (RFC 4251 §6). */
const MAX_NAME_LENGTH = 64;

/** Reads SSH wire fields from `bytes`; any short or malformed field throws `BadKeyError`. */
export class WireReader {
  #offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  uint32(): number {
    if (this.remaining < 4) throw new BadKeyError('truncated SSH data: a uint32 is missing');
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** A `string`: a uint32 length and that many bytes (a view, not a copy). */
  string(): Uint8Array {
    const length = this.uint32();
    if (length > this.remaining) throw new BadKeyError(`truncated SSH data: a string of ${length} bytes, ${this.remaining} left`);
    const out = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  /** A `string` holding a name (algorithms, curves): printable ASCII, 64 characters at most (RFC 4251 §6). */
  text(): string {
    const bytes = this.string();
    if (bytes.length > MAX_NAME_LENGTH) throw new BadKeyError(`an SSH name of ${bytes.length} bytes, over ${MAX_NAME_LENGTH}`);
    for (const b of bytes) if (b < 0x20 || b > 0x7e) throw new BadKeyError('an SSH name holds a byte that is not printable ASCII');
    return String.fromCharCode(...bytes);
  }

  /**
   * A non-negative `mpint`, as its big-endian magnitude without leading zeros. Negative numbers and
   * needless leading zero bytes are refused, as OpenSSH does.
   */
  mpint(): Uint8Array {
    const bytes = this.string();
    if (bytes.length > 0 && bytes[0] & 0x80) throw new BadKeyError('a negative mpint where a positive number is needed');
    if (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) throw new BadKeyError('an mpint with a needless leading zero');
    return bytes[0] === 0 ? bytes.subarray(1) : bytes;
  }

  /** Throws unless every byte was read (trailing bytes mean the data is not what it claims to be). */
  end(): void {
    if (this.remaining !== 0) throw new BadKeyError(`${this.remaining} unexpected bytes after the SSH data`);
  }
}

/** Writes SSH wire fields. */
export class WireWriter {
  readonly #parts: Uint8Array[] = [];

  uint32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    this.#parts.push(b);
    return this;
  }

  string(bytes: Uint8Array | string): this {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    this.uint32(data.length);
    this.#parts.push(data);
    return this;
  }

  /** A non-negative integer given as its big-endian magnitude (leading zeros allowed). */
  mpint(magnitude: Uint8Array): this {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) start++;
    const trimmed = magnitude.subarray(start);
    return this.string(trimmed.length > 0 && trimmed[0] & 0x80 ? concatBytes(new Uint8Array([0]), trimmed) : trimmed);
  }

  bytes(): Uint8Array {
    return concatBytes(...this.#parts);
  }
}

/** The bytes of `parts`, one after the other. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
