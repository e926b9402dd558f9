/**
 * The SMTP server's framing, sans I/O: command lines, and the message text of `DATA` with its end.
 *
 * SMTP smuggling (CVE-2023-51764 and kin) works when two servers disagree on where `DATA` ends. Here only
 * `<CRLF>.<CRLF>` ends it (RFC 5321 §4.1.1.4): a bare LF, a bare CR, `<LF>.<LF>`, `<LF>.<CRLF>` or
 * `<CR>.<CR>` never do; each bare LF or CR is counted so the server can refuse the message instead of
 * passing it on, and a line after a bare LF is not a line start (so a `.` there ends nothing). Nothing here
 * holds more than one line's limit of unread input (plus the chunk being read).
 * @module
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** What the codec found in the input. */
export type SMTPServerEvent =
  /** A command line, CRLF removed; `bareLF` when it ended with a lone LF instead. */
  | { kind: 'command'; line: Uint8Array; bareLF: boolean }
  /** A command line longer than the limit (its bytes were dropped up to its end). */
  | { kind: 'commandTooLong' }
  /**
   * Message text as received, dot-unstuffed: a view into the input, valid only during the call (copy what
   * you keep).
   */
  | { kind: 'text'; chunk: Uint8Array }
  /** `<CRLF>.<CRLF>`: the end of the message, with what was wrong in it. */
  | { kind: 'end'; bareLF: number; bareCR: number; longLines: number };

/**
 * Bytes in, {@link SMTPServerEvent}s out. The server switches it to data mode after its `354` reply; it
 * goes back to command mode by itself at the end of the message.
 *
 * @example
 * const codec = new SMTPServerCodec({ maxCommandLength: 512, maxDataLineLength: 998 });
 * codec.feed(bytes);
 * for (let e = codec.next(); e !== null; e = codec.next()) handle(e);
 */
export class SMTPServerCodec {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #mode: 'command' | 'data' = 'command';
  /** In command mode: skipping the rest of an over-long line. */
  #skipping = false;
  /** In data mode: the next byte starts a line (the previous line ended with CRLF). */
  #lineStart = true;
  #bareLF = 0;
  #bareCR = 0;
  #longLines = 0;

  constructor(readonly limits: { maxCommandLength: number; maxDataLineLength: number }) {}

  /** True while reading message text. */
  get inData(): boolean {
    return this.#mode === 'data';
  }

  /** Adds received bytes. */
  feed(data: Uint8Array): void {
    if (this.#pos >= this.#buf.length) {
      this.#buf = data;
    } else {
      const rest = this.#buf.subarray(this.#pos);
      const joined = new Uint8Array(rest.length + data.length);
      joined.set(rest);
      joined.set(data, rest.length);
      this.#buf = joined;
    }
    this.#pos = 0;
  }

  /** Starts reading message text (after the `354` reply). */
  startData(): void {
    this.#mode = 'data';
    this.#lineStart = true;
    this.#bareLF = 0;
    this.#bareCR = 0;
    this.#longLines = 0;
  }

  /** Removes and returns the input not yet read (the TLS hello behind `STARTTLS`). */
  takeBuffered(): Uint8Array {
    const rest = this.#buf.subarray(this.#pos);
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
    return rest;
  }

  /** The next event, or null until more input arrives. */
  next(): SMTPServerEvent | null {
    return this.#mode === 'command' ? this.#nextCommand() : this.#nextData();
  }

  #nextCommand(): SMTPServerEvent | null {
    const buf = this.#buf;
    for (;;) {
      const lf = buf.indexOf(LF, this.#pos);
      const limit = this.limits.maxCommandLength + 2;
      if (lf < 0) {
        if (buf.length - this.#pos > limit) {
          const wasSkipping = this.#skipping;
          this.#skipping = true;
          // Keep a trailing CR: it may pair with the next chunk's LF.
          this.#pos = buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
          if (!wasSkipping) return { kind: 'commandTooLong' };
        }
        return null;
      }
      const start = this.#pos;
      this.#pos = lf + 1;
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      if (lf + 1 - start > limit) return { kind: 'commandTooLong' };
      const bareLF = lf === start || buf[lf - 1] !== CR;
      return { kind: 'command', line: buf.subarray(start, bareLF ? lf : lf - 1), bareLF };
    }
  }

  /**
   * The next run of message text: whole lines as received (views, no copies), cut only where a stuffed dot
   * is dropped, or the end of the message.
   */
  #nextData(): SMTPServerEvent | null {
    const buf = this.#buf;
    let runStart = this.#pos;
    let pos = runStart;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) return this.#partialLine(runStart, pos);
      const crlf = lf > pos && buf[lf - 1] === CR;
      const contentEnd = crlf ? lf - 1 : lf;
      if (this.#lineStart && buf[pos] === DOT) {
        // The run so far goes out first; the dot line is looked at again on the next call.
        if (pos > runStart) return this.#text(runStart, pos);
        if (crlf && contentEnd - pos === 1) {
          this.#pos = lf + 1;
          this.#mode = 'command';
          return { kind: 'end', bareLF: this.#bareLF, bareCR: this.#bareCR, longLines: this.#longLines };
        }
        runStart = pos + 1;
      }
      this.#countBareCR(pos, contentEnd);
      if (contentEnd - pos > this.limits.maxDataLineLength) this.#longLines++;
      // A bare LF ends no line: what follows it is not a line start, so ".\r\n" after it ends nothing.
      if (!crlf) this.#bareLF++;
      this.#lineStart = crlf;
      pos = lf + 1;
    }
  }

  #text(start: number, end: number): SMTPServerEvent {
    this.#pos = end;
    return { kind: 'text', chunk: this.#buf.subarray(start, end) };
  }

  /** No line end after `pos`: the run before it goes out, and an over-long line is passed on in pieces. */
  #partialLine(runStart: number, pos: number): SMTPServerEvent | null {
    const buf = this.#buf;
    if (pos > runStart) return this.#text(runStart, pos);
    if (buf.length - pos <= this.limits.maxDataLineLength + 2) {
      this.#pos = pos;
      return null;
    }
    // Keep a trailing CR: it may pair with the next chunk's LF.
    const end = buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    const start = this.#lineStart && buf[pos] === DOT ? pos + 1 : pos;
    this.#longLines++;
    this.#countBareCR(pos, end);
    this.#lineStart = false;
    return this.#text(start, end);
  }

  /**
   * Counts the CRs in `buf[start, end)` not followed by an LF (looking one byte past `end`). `indexOf` is
   * used only when a CR at `end` stops it (a CRLF line): elsewhere it could scan far past the line, again
   * for every line of a chunk.
   */
  #countBareCR(start: number, end: number): void {
    const buf = this.#buf;
    if (buf[end] === CR) {
      for (let i = buf.indexOf(CR, start); i < end; i = buf.indexOf(CR, i + 1)) if (buf[i + 1] !== LF) this.#bareCR++;
      return;
    }
    for (let i = start; i < end; i++) if (buf[i] === CR && buf[i + 1] !== LF) this.#bareCR++;
  }
}
