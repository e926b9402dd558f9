/**
 * `NetstringReceiver`: D. J. Bernstein's netstrings, `<length>:<bytes>,` (Twisted's `protocols/basic.py`).
 * Browser-safe.
 * @module
 */
import { Protocol } from '../internet/protocol.js';
import type { Data, ITransport } from '../internet/interfaces.js';
import { ByteBuffer, concatBytes, toBytes } from './bytes.js';
import { NetstringParseError, StringTooLongError } from './errors.js';
import { PROTOCOL_LIMITS } from './limits.js';

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const encoder = new TextEncoder();

const enum State {
  Length,
  Data,
  Comma,
}

/**
 * Receives netstrings (`stringReceived`) and sends them (`sendString`).
 *
 * The length prefix is checked digit by digit: a leading zero, a non-digit or a length above `MAX_LENGTH`
 * is a `NetstringParseError` the moment its byte arrives, so a hostile peer cannot make it buffer more than
 * `MAX_LENGTH` bytes. Errors go to `netstringParseError`, which by default drops the connection.
 *
 * @example
 * class Echo extends NetstringReceiver {
 *   override stringReceived(data: Uint8Array) { this.sendString(data); }
 * }
 */
export class NetstringReceiver<T extends ITransport = ITransport> extends Protocol<T> {
  /** The longest string accepted, in bytes. */
  MAX_LENGTH: number = PROTOCOL_LIMITS.maxNetstringLength;
  /** True once the peer sent something invalid: nothing more is parsed. */
  brokenPeer = false;

  #state = State.Length;
  #length = 0;
  #digits = 0;
  readonly #body = new ByteBuffer();
  #busy = false;
  #queue: Uint8Array[] = [];

  /** Override: called with each complete string. The view is only valid during the call unless copied. */
  stringReceived(_data: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /** Called once when the peer sends a malformed netstring; the default drops the connection. */
  netstringParseError(_error: NetstringParseError): void {
    this.transport.loseConnection();
  }

  /** Sends `data` as one netstring. Throws `StringTooLongError` past `MAX_LENGTH` (the peer would refuse it). */
  sendString(data: Data): void {
    const bytes = toBytes(data);
    if (bytes.length > this.MAX_LENGTH) throw new StringTooLongError(`netstring of ${bytes.length} bytes exceeds MAX_LENGTH ${this.MAX_LENGTH}`);
    this.transport.write(concatBytes([encoder.encode(`${bytes.length}:`), bytes, encoder.encode(',')]));
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

  #fail(message: string): false {
    this.brokenPeer = true;
    this.#body.clear();
    this.netstringParseError(new NetstringParseError(message));
    return false;
  }

  /** Parses `data`; false once parsing must stop (broken peer, or the connection is going away). */
  #parse(data: Uint8Array): boolean {
    const n = data.length;
    let pos = 0;
    while (pos < n) {
      if (this.brokenPeer || this.transport?.disconnecting) return false;
      if (this.#state === State.Length) {
        const b = data[pos++];
        if (b === COLON) {
          if (this.#digits === 0) return this.#fail('netstring length is empty');
          this.#state = State.Data;
        } else {
          const digit = b - ZERO;
          if (digit < 0 || digit > 9) return this.#fail(`netstring length has a non-digit byte 0x${b.toString(16).padStart(2, '0')}`);
          if (this.#digits > 0 && this.#length === 0) return this.#fail('netstring length has a leading zero');
          this.#length = this.#length * 10 + digit;
          this.#digits++;
          if (this.#length > this.MAX_LENGTH) return this.#fail(`netstring length exceeds MAX_LENGTH ${this.MAX_LENGTH}`);
        }
      } else if (this.#state === State.Data) {
        const need = this.#length - this.#body.length;
        if (this.#body.length === 0 && n - pos > need) {
          // The whole string and its comma are in this chunk: hand out a view, no copy.
          if (data[pos + need] !== COMMA) return this.#fail('netstring is not terminated by a comma');
          const s = data.subarray(pos, pos + need);
          pos += need + 1;
          this.#reset();
          this.stringReceived(s);
        } else {
          const take = Math.min(need, n - pos);
          this.#body.append(data.subarray(pos, pos + take));
          pos += take;
          if (this.#body.length === this.#length) this.#state = State.Comma;
        }
      } else {
        if (data[pos++] !== COMMA) return this.#fail('netstring is not terminated by a comma');
        const s = this.#body.take();
        this.#reset();
        this.stringReceived(s);
      }
    }
    return !this.brokenPeer && !this.transport?.disconnecting;
  }

  #reset(): void {
    this.#state = State.Length;
    this.#length = 0;
    this.#digits = 0;
  }
}
