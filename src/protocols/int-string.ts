/**
 * Length-prefixed strings: `Int8StringReceiver`, `Int16StringReceiver`, `Int32StringReceiver` (big-endian
 * unsigned prefixes, Twisted's `IntNStringReceiver`). Browser-safe.
 * @module
 */
import { Protocol } from '../internet/protocol.js';
import type { Data, ITransport } from '../internet/interfaces.js';
import { ByteBuffer, toBytes } from './bytes.js';
import { StringTooLongError } from './errors.js';
import { PROTOCOL_LIMITS } from './limits.js';

/**
 * The base of the length-prefixed receivers: a `prefixLength`-byte big-endian length, then that many bytes.
 *
 * A length above `MAX_LENGTH` goes to `lengthLimitExceeded` as soon as the prefix is read (before any of the
 * body is buffered), which by default drops the connection.
 */
export abstract class IntNStringReceiver<T extends ITransport = ITransport> extends Protocol<T> {
  /** Bytes in the length prefix: 1, 2 or 4. */
  abstract readonly prefixLength: 1 | 2 | 4;
  /** The longest string accepted, in bytes. */
  MAX_LENGTH: number = PROTOCOL_LIMITS.maxPrefixedStringLength;
  /** True once a length limit was exceeded: nothing more is parsed. */
  brokenPeer = false;

  readonly #header = new Uint8Array(4);
  #headerFill = 0;
  /** The body length being read, or -1 while reading the prefix. */
  #length = -1;
  readonly #body = new ByteBuffer();
  #busy = false;
  #queue: Uint8Array[] = [];

  /** Override: called with each complete string. The view is only valid during the call unless copied. */
  stringReceived(_data: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /** Called when the peer announces a string longer than `MAX_LENGTH`; the default drops the connection. */
  lengthLimitExceeded(_length: number): void {
    this.transport.loseConnection();
  }

  /** Sends `data` with its length prefix. Throws `StringTooLongError` if the length does not fit the prefix. */
  sendString(data: Data): void {
    const bytes = toBytes(data);
    const limit = 2 ** (8 * this.prefixLength);
    if (bytes.length >= limit) throw new StringTooLongError(`string of ${bytes.length} bytes does not fit a ${this.prefixLength}-byte length prefix`);
    const out = new Uint8Array(this.prefixLength + bytes.length);
    let len = bytes.length;
    for (let i = this.prefixLength - 1; i >= 0; i--) {
      out[i] = len & 0xff;
      len = Math.floor(len / 256);
    }
    out.set(bytes, this.prefixLength);
    this.transport.write(out);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#busy) {
      this.#queue.push(data);
      return;
    }
    this.#busy = true;
    try {
      let chunk: Uint8Array | undefined = data;
      while (chunk !== undefined && this.#parse(chunk)) chunk = this.#queue.shift();
    } finally {
      this.#queue = [];
      this.#busy = false;
    }
  }

  #readLength(bytes: Uint8Array, at: number): number {
    let v = 0;
    for (let i = 0; i < this.prefixLength; i++) v = v * 256 + bytes[at + i];
    return v;
  }

  /** Parses `data`; false once parsing must stop (limit exceeded, or the connection is going away). */
  #parse(data: Uint8Array): boolean {
    const n = data.length;
    const pl = this.prefixLength;
    let pos = 0;
    while (true) {
      if (this.brokenPeer || this.transport?.disconnecting) return false;
      if (this.#length < 0) {
        if (pos >= n) return true;
        if (this.#headerFill === 0 && n - pos >= pl) {
          this.#length = this.#readLength(data, pos);
          pos += pl;
        } else {
          const take = Math.min(pl - this.#headerFill, n - pos);
          this.#header.set(data.subarray(pos, pos + take), this.#headerFill);
          this.#headerFill += take;
          pos += take;
          if (this.#headerFill < pl) return true;
          this.#headerFill = 0;
          this.#length = this.#readLength(this.#header, 0);
        }
        if (this.#length > this.MAX_LENGTH) {
          this.brokenPeer = true;
          this.lengthLimitExceeded(this.#length);
          return false;
        }
      }
      const need = this.#length - this.#body.length;
      if (this.#body.length === 0 && n - pos >= need) {
        const s = data.subarray(pos, pos + need);
        pos += need;
        this.#length = -1;
        this.stringReceived(s);
      } else {
        if (pos >= n) return true;
        const take = Math.min(need, n - pos);
        this.#body.append(data.subarray(pos, pos + take));
        pos += take;
        if (this.#body.length < this.#length) return true;
        this.#length = -1;
        this.stringReceived(this.#body.take());
      }
    }
  }
}

/** Strings with a 1-byte length prefix (at most 255 bytes). */
export class Int8StringReceiver<T extends ITransport = ITransport> extends IntNStringReceiver<T> {
  readonly prefixLength = 1;
}

/** Strings with a 2-byte big-endian length prefix (at most 65535 bytes). */
export class Int16StringReceiver<T extends ITransport = ITransport> extends IntNStringReceiver<T> {
  readonly prefixLength = 2;
}

/** Strings with a 4-byte big-endian length prefix; `MAX_LENGTH` (99999 by default) is the real limit. */
export class Int32StringReceiver<T extends ITransport = ITransport> extends IntNStringReceiver<T> {
  readonly prefixLength = 4;
}
