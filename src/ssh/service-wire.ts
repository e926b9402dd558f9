/**
 * Reading and writing the payloads of the SSH services (`ssh-userauth`, `ssh-connection`): the field
 * types of RFC 4251 §5 (`byte`, `boolean`, `uint32`, `string`, `name-list`), every length checked against
 * what is left. Sans-I/O.
 * @module
 */
import { SSHProtocolError } from './errors.js';

/** A service message that does not parse: short, over-long, or with a field out of range. */
export class SSHMalformedMessageError extends SSHProtocolError {
  override readonly code = 'TORSION_SSH_MALFORMED_MESSAGE';
  override name = 'SSHMalformedMessageError';
}

/** The disconnect reason codes (RFC 4250 §4.2.2), as the transport names them. */
export { DISCONNECT } from './transport/constants.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Reads the fields of one payload; anything short or malformed throws {@link SSHMalformedMessageError}. */
export class PayloadReader {
  #offset = 0;
  constructor(readonly bytes: Uint8Array, start = 0) {
    this.#offset = start;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  byte(): number {
    if (this.remaining < 1) throw new SSHMalformedMessageError('truncated message: a byte is missing');
    return this.bytes[this.#offset++];
  }

  /** A `boolean`: any non-zero byte is true (RFC 4251 §5). */
  boolean(): boolean {
    return this.byte() !== 0;
  }

  uint32(): number {
    if (this.remaining < 4) throw new SSHMalformedMessageError('truncated message: a uint32 is missing');
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** A `string` of at most `max` bytes, as a view into the payload. */
  string(max = Number.MAX_SAFE_INTEGER): Uint8Array {
    const length = this.uint32();
    if (length > this.remaining) throw new SSHMalformedMessageError(`truncated message: a string of ${length} bytes, ${this.remaining} left`);
    if (length > max) throw new SSHMalformedMessageError(`a string of ${length} bytes, over ${max}`);
    const out = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  /** A `string` of UTF-8 text (user names, messages, commands); invalid UTF-8 is refused. */
  utf8(max?: number): string {
    try {
      return utf8.decode(this.string(max));
    } catch (e) {
      if (e instanceof SSHMalformedMessageError) throw e;
      throw new SSHMalformedMessageError('a text field is not valid UTF-8');
    }
  }

  /** A `string` holding a name (method, channel type, request): printable US-ASCII only (RFC 4251 §6). */
  name(max = 64): string {
    const bytes = this.string(max);
    for (const b of bytes) if (b <= 0x20 || b > 0x7e) throw new SSHMalformedMessageError('a name holds a byte that is not printable US-ASCII');
    return String.fromCharCode(...bytes);
  }

  /** A `name-list` of at most `maxBytes` bytes. */
  nameList(maxBytes = 1024): string[] {
    const bytes = this.string(maxBytes);
    if (bytes.length === 0) return [];
    for (const b of bytes) if (b <= 0x20 || b > 0x7e) throw new SSHMalformedMessageError('a name-list holds a byte that is not printable US-ASCII');
    const names = String.fromCharCode(...bytes).split(',');
    if (names.some((n) => n.length === 0)) throw new SSHMalformedMessageError('a name-list holds an empty name');
    return names;
  }

  /** Everything left, as a view (request-specific data). */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.#offset);
    this.#offset = this.bytes.length;
    return out;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining !== 0) throw new SSHMalformedMessageError(`${this.remaining} unexpected bytes at the end of the message`);
  }
}

/** Writes the fields of one payload. */
export class PayloadWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  constructor(messageNumber?: number) {
    if (messageNumber !== undefined) this.byte(messageNumber);
  }

  byte(n: number): this {
    return this.raw(Uint8Array.of(n));
  }

  boolean(b: boolean): this {
    return this.byte(b ? 1 : 0);
  }

  uint32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0);
    return this.raw(b);
  }

  /** A `string`; text is written as UTF-8. */
  string(data: Uint8Array | string): this {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.uint32(bytes.length);
    return this.raw(bytes);
  }

  nameList(names: readonly string[]): this {
    return this.string(names.join(','));
  }

  /** Bytes as they are, with no length in front. */
  raw(bytes: Uint8Array): this {
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
