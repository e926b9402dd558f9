/**
 * The SSH data types SFTP packets are made of (RFC 4251 section 5): bytes, uint32, uint64 and strings,
 * read from one packet without copying and written into a packet without copying large payloads.
 * @module
 */
import { SFTPProtocolError } from './errors.js';

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Reads one packet's fields in order; any read past the end throws {@link SFTPProtocolError}. */
export class PacketReader {
  #offset = 0;
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  #need(n: number, what: string): void {
    if (this.bytes.length - this.#offset < n) throw new SFTPProtocolError(`truncated packet: ${what} needs ${n} bytes, ${this.remaining} left`);
  }

  byte(): number {
    this.#need(1, 'byte');
    return this.bytes[this.#offset++]!;
  }

  uint32(): number {
    this.#need(4, 'uint32');
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** A uint64 as a number; values past 2^53 (no file is that large) are refused. */
  uint64(): number {
    this.#need(8, 'uint64');
    const hi = this.#view.getUint32(this.#offset);
    const lo = this.#view.getUint32(this.#offset + 4);
    this.#offset += 8;
    if (hi > 0x1fffff) throw new SFTPProtocolError('uint64 value past 2^53');
    return hi * 0x100000000 + lo;
  }

  /** A uint64 as a bigint, for values that may pass 2^53 (a filesystem id). */
  uint64Big(): bigint {
    this.#need(8, 'uint64');
    const v = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    return v;
  }

  /** A string's bytes: a view into the packet, not a copy. */
  string(): Uint8Array {
    const n = this.uint32();
    this.#need(n, 'string');
    const s = this.bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return s;
  }

  /** A string decoded as UTF-8 (malformed sequences become U+FFFD). */
  text(): string {
    return utf8.decode(this.string());
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining !== 0) throw new SFTPProtocolError(`${this.remaining} bytes left over at the end of a packet`);
  }
}

/** Strings at least this long are kept as their own chunk instead of being copied. */
const CHUNK_AT = 4096;

/**
 * Builds one packet, its uint32 length first. Small fields go into one buffer; large strings stay their own
 * chunks so that a 64 KiB WRITE or DATA is never copied before the transport's `writeSequence`.
 */
export class PacketWriter {
  readonly #chunks: Uint8Array[] = [];
  #buf: Uint8Array;
  #view: DataView;
  #pos: number;
  #length = 0;

  constructor(size = 256) {
    this.#buf = new Uint8Array(Math.max(size, 16));
    this.#view = new DataView(this.#buf.buffer);
    this.#pos = 4;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    bigger.set(this.#buf.subarray(0, this.#pos));
    this.#buf = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  byte(v: number): this {
    this.#room(1);
    this.#buf[this.#pos++] = v;
    return this;
  }

  uint32(v: number): this {
    this.#room(4);
    this.#view.setUint32(this.#pos, v >>> 0);
    this.#pos += 4;
    return this;
  }

  uint64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uint64 out of range: ${v}`);
    this.#room(8);
    this.#view.setUint32(this.#pos, Math.floor(v / 0x100000000));
    this.#view.setUint32(this.#pos + 4, v >>> 0);
    this.#pos += 8;
    return this;
  }

  uint64Big(v: bigint): this {
    this.#room(8);
    this.#view.setBigUint64(this.#pos, BigInt.asUintN(64, v));
    this.#pos += 8;
    return this;
  }

  /** A string: bytes as they are, text as UTF-8. */
  string(s: Uint8Array | string): this {
    const bytes = typeof s === 'string' ? encoder.encode(s) : s;
    return this.uint32(bytes.length).raw(bytes);
  }

  /** Bytes as they are, with no length prefix (the body of an extension). */
  raw(bytes: Uint8Array): this {
    if (bytes.length >= CHUNK_AT) {
      this.#flush();
      this.#chunks.push(bytes);
      this.#length += bytes.length;
    } else {
      this.#room(bytes.length);
      this.#buf.set(bytes, this.#pos);
      this.#pos += bytes.length;
    }
    return this;
  }

  #flush(): void {
    if (this.#pos === 0) return;
    this.#chunks.push(this.#buf.subarray(0, this.#pos));
    this.#length += this.#pos;
    this.#buf = this.#buf.subarray(this.#pos);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
    this.#pos = 0;
  }

  /** The packet's chunks, its length prefix filled in. The writer is spent. */
  finish(): Uint8Array[] {
    this.#flush();
    const first = this.#chunks[0]!;
    new DataView(first.buffer, first.byteOffset, 4).setUint32(0, this.#length - 4);
    return this.#chunks;
  }

  /** The packet as one array (tests, small packets). */
  bytes(): Uint8Array {
    const chunks = this.finish();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
