/**
 * `LineReceiver`: lines and raw data on one connection (Twisted's `protocols/basic.py`), built for speed:
 * it scans each chunk with the native `indexOf`, hands `lineReceived` a view into the chunk (no copy), and
 * keeps at most one partial line between chunks. Browser-safe.
 * @module
 */
import { Protocol } from '../internet/protocol.js';
import type { Data, IPushProducer, ITransport } from '../internet/interfaces.js';
import { ByteBuffer, concatBytes, indexOfBytes, toBytes } from './bytes.js';
import { PROTOCOL_LIMITS } from './limits.js';

// The usual delimiters' bytes, shared by every receiver instead of encoded per connection (read, never written).
const CRLF = toBytes('\r\n');
const LF = toBytes('\n');
const NO_DELIMITER = new Uint8Array(0);

/** A transport a line receiver runs over: any; it pauses and resumes the transport's reading where it can. */
export type LineTransport = ITransport & Partial<IPushProducer>;

/**
 * A protocol that receives lines (`lineReceived`) or raw data (`rawDataReceived`), depending on its mode.
 *
 * Lines longer than `MAX_LENGTH` go to `lineLengthExceeded`, which by default drops the connection: a peer
 * cannot make it buffer more than `MAX_LENGTH` plus the delimiter. Once `transport.disconnecting` is true no
 * further lines are delivered.
 *
 * The line handed to `lineReceived` is a view into the received chunk: copy it (`line.slice()`) if you keep it
 * past the call and your transport reuses its buffers (Node's sockets do not).
 *
 * `T` is the transport it needs (see `Protocol`).
 *
 * @example
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Uint8Array) { this.sendLine(line); }
 * }
 */
export class LineReceiver<T extends LineTransport = ITransport> extends Protocol<T> implements IPushProducer {
  /** The line delimiter; change it at any time, even inside `lineReceived`. */
  delimiter: string | Uint8Array = '\r\n';
  /** The longest line accepted, in bytes, without the delimiter. */
  MAX_LENGTH: number = PROTOCOL_LIMITS.maxLineLength;
  /** True while paused by `pauseProducing`: nothing is delivered until `resumeProducing`. */
  paused = false;

  #lineMode = true;
  #busy = false;
  /**
   * The partial line (line mode) or undelivered data (paused) kept between chunks. Made when first needed and
   * dropped once empty: a server holds one receiver per connection, and an idle one keeps nothing.
   */
  #pending: ByteBuffer | undefined;
  /** Chunks that arrived while a callback was running (`setLineMode(extra)`, loopback transports); made on first use. */
  #queue: Uint8Array[] | undefined;
  #delimSource: string | Uint8Array | undefined;
  #delim: Uint8Array = NO_DELIMITER;

  /** True in line mode, false in raw mode. */
  get lineMode(): boolean {
    return this.#lineMode;
  }

  /** Override: called with each line, without its delimiter. */
  lineReceived(_line: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /** Override: called with data received in raw mode. */
  rawDataReceived(_data: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override rawDataReceived`);
  }

  /**
   * Called when a line is longer than `MAX_LENGTH`, with the buffered data starting at that line (it may hold
   * more than one line, or only the start of the long one). The default drops the connection.
   */
  lineLengthExceeded(_line: Uint8Array): void {
    this.transport.loseConnection();
  }

  /** Writes `line` followed by the delimiter, in one write. */
  sendLine(line: Data): void {
    const d = this.delimiter;
    if (typeof line === 'string' && typeof d === 'string') this.transport.write(line + d);
    else this.transport.write(concatBytes([toBytes(line), toBytes(d)]));
  }

  /** Switches to raw mode: further data goes to `rawDataReceived`, including the rest of the current chunk. */
  setRawMode(): void {
    this.#lineMode = false;
  }

  /**
   * Switches to line mode. From `rawDataReceived`, pass the bytes you did not consume as `extra`: they are
   * parsed for lines before anything received later.
   */
  setLineMode(extra?: Uint8Array): void {
    this.#lineMode = true;
    if (extra !== undefined && extra.length > 0) this.dataReceived(extra);
  }

  /** Removes and returns whatever is buffered and not yet delivered. */
  clearLineBuffer(): Uint8Array {
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    return concatBytes([this.#takePending(), ...queued]);
  }

  /** Stops delivering lines (and pauses the transport, if it can be paused) until `resumeProducing`. */
  pauseProducing(): void {
    this.paused = true;
    // May be called before makeConnection: no transport yet.
    this.transport?.pauseProducing?.();
  }

  /** Delivers what was buffered while paused, then resumes the transport. */
  resumeProducing(): void {
    this.paused = false;
    this.transport?.resumeProducing?.();
    if (this.#pendingLength() > 0 && !this.#busy) this.dataReceived(this.#takePending());
  }

  /** Stops for good: drops the connection. */
  stopProducing(): void {
    this.paused = true;
    this.transport.loseConnection();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#busy) {
      (this.#queue ??= []).push(data);
      return;
    }
    if (this.paused) {
      this.#keep(data);
      return;
    }
    this.#busy = true;
    try {
      let chunk: Uint8Array | undefined = data;
      while (chunk !== undefined) {
        if (!this.#process(chunk)) {
          if (!this.#gone() && this.#queue) for (const rest of this.#queue) this.#keep(rest);
          this.#queue = undefined;
          break;
        }
        chunk = this.#queue?.shift();
      }
    } finally {
      this.#busy = false;
      if (this.#queue?.length === 0) this.#queue = undefined;
      if (this.#pending?.length === 0) this.#pending = undefined;
    }
  }

  #delimiterBytes(): Uint8Array {
    if (this.delimiter !== this.#delimSource) {
      this.#delimSource = this.delimiter;
      const d = this.delimiter;
      this.#delim = d === '\r\n' ? CRLF : d === '\n' ? LF : toBytes(d);
      if (this.#delim.length === 0) throw new RangeError('LineReceiver.delimiter must not be empty');
    }
    return this.#delim;
  }

  #keep(data: Uint8Array): void {
    (this.#pending ??= new ByteBuffer()).append(data);
  }

  #pendingLength(): number {
    return this.#pending?.length ?? 0;
  }

  /** Removes and returns the pending bytes (a copy). */
  #takePending(): Uint8Array {
    const bytes = this.#pending?.take() ?? new Uint8Array(0);
    this.#pending = undefined;
    return bytes;
  }

  /** True once the connection is going away: nothing more is delivered or kept. */
  #gone(): boolean {
    return this.transport?.disconnecting === true;
  }

  /** True once delivery must stop for this call: paused, or the connection is going away. */
  #halted(): boolean {
    if (this.#gone()) {
      this.#pending = undefined;
      return true;
    }
    return this.paused;
  }

  /** Delivers what `data` (after any pending bytes) holds; false when delivery stopped early. */
  #process(data: Uint8Array): boolean {
    if (this.#halted()) {
      if (!this.#gone()) this.#keep(data);
      return false;
    }
    const n = data.length;
    let pos = 0;
    if (this.#pendingLength() > 0) {
      if (!this.#lineMode) {
        this.rawDataReceived(this.#takePending());
        if (this.#halted()) {
          if (!this.#gone()) this.#keep(data);
          return false;
        }
      } else {
        const after = this.#finishPendingLine(data);
        if (after < 0) return after === -1;
        pos = after;
        if (this.#halted()) {
          if (pos < n && !this.#gone()) this.#keep(data.subarray(pos));
          return false;
        }
      }
    }
    // The hot loop: delimiter bytes hoisted, the usual one- and two-byte delimiters searched inline.
    let d = this.#delimiterBytes();
    let dl = d.length;
    let d0 = d[0];
    let d1 = d[1];
    while (pos < n) {
      if (!this.#lineMode) {
        this.rawDataReceived(pos === 0 ? data : data.subarray(pos));
        pos = n;
        if (this.#halted()) return false;
        continue;
      }
      let end: number;
      if (dl === 1) end = data.indexOf(d0, pos);
      else if (dl === 2) {
        end = data.indexOf(d0, pos);
        while (end >= 0 && (end + 1 >= n || data[end + 1] !== d1)) end = end + 1 >= n ? -1 : data.indexOf(d0, end + 1);
      } else end = indexOfBytes(data, d, pos);
      if (end < 0) break;
      if (end - pos > this.MAX_LENGTH) {
        this.lineLengthExceeded(data.subarray(pos));
        return false;
      }
      const line = data.subarray(pos, end);
      pos = end + dl;
      this.lineReceived(line);
      if (this.paused || this.transport?.disconnecting) {
        this.#halted();
        if (pos < n && !this.#gone()) this.#keep(data.subarray(pos));
        return false;
      }
      if (this.delimiter !== this.#delimSource) {
        d = this.#delimiterBytes();
        dl = d.length;
        d0 = d[0];
        d1 = d[1];
      }
    }
    if (pos < n) {
      this.#keep(pos === 0 ? data : data.subarray(pos));
      if (this.#pendingLength() >= this.MAX_LENGTH + this.#delimiterBytes().length) {
        this.lineLengthExceeded(this.#takePending());
        return false;
      }
    }
    return true;
  }

  /**
   * Completes the partial line kept from earlier chunks with the start of `data`. Returns the offset in `data`
   * after the delimiter, -1 when `data` holds no delimiter (all of it was buffered), -2 when the line was too long.
   */
  #finishPendingLine(data: Uint8Array): number {
    const d = this.#delimiterBytes();
    const dl = d.length;
    const pending = this.#pending!;
    const p = pending.length;
    let end = -1;
    // A delimiter may straddle the boundary: start in the pending bytes and end in data.
    for (let s = Math.max(0, p - dl + 1); s < p && end < 0; s++) {
      if (s + dl - p > data.length) break;
      let k = 0;
      while (k < dl && (s + k < p ? pending.at(s + k) : data[s + k - p]) === d[k]) k++;
      if (k === dl) end = s;
    }
    if (end < 0) {
      const i = indexOfBytes(data, d, 0);
      if (i >= 0) end = p + i;
    }
    if (end < 0) {
      pending.append(data);
      if (pending.length >= this.MAX_LENGTH + dl) {
        this.lineLengthExceeded(this.#takePending());
        return -2;
      }
      return -1;
    }
    if (end > this.MAX_LENGTH) {
      this.lineLengthExceeded(concatBytes([this.#takePending(), data]));
      return -2;
    }
    const line = new Uint8Array(end);
    line.set(end < p ? pending.view().subarray(0, end) : pending.view());
    if (end > p) line.set(data.subarray(0, end - p), p);
    const after = end + dl - p;
    this.#pending = undefined;
    this.lineReceived(line);
    return after;
  }
}
