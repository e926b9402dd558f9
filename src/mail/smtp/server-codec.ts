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
const CRLF = new Uint8Array([CR, LF]);

/** What the codec found in the input. */
export type SMTPServerEvent =
  /** A command line, CRLF removed; `bareLF` when it ended with a lone LF instead. */
  | { kind: 'command'; line: Uint8Array; bareLF: boolean }
  /** A command line longer than the limit (its bytes were dropped up to its end). */
  | { kind: 'commandTooLong' }
  /** Message text, dot-unstuffed, lines ending in CRLF (or as received when they did not). */
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

  #nextData(): SMTPServerEvent | null {
    const buf = this.#buf;
    const start = this.#pos;
    const lf = buf.indexOf(LF, start);
    if (lf < 0) {
      const pending = buf.length - start;
      if (pending <= this.limits.maxDataLineLength + 2) return null;
      // An over-long line: pass on what is there (the message is refused at its end), keeping a trailing CR.
      const keep = buf[buf.length - 1] === CR ? 1 : 0;
      const chunk = buf.subarray(start, buf.length - keep);
      this.#pos = buf.length - keep;
      if (this.#lineStart || chunk.length > 0) this.#longLines++;
      this.#countBareCR(chunk);
      const unstuffed = this.#lineStart && chunk[0] === DOT ? chunk.subarray(1) : chunk;
      this.#lineStart = false;
      return { kind: 'text', chunk: unstuffed };
    }
    this.#pos = lf + 1;
    const crlf = lf > start && buf[lf - 1] === CR;
    const content = buf.subarray(start, crlf ? lf - 1 : lf);
    this.#countBareCR(content);
    if (content.length > this.limits.maxDataLineLength) this.#longLines++;
    if (!crlf) {
      // A bare LF ends no line: what follows it is not a line start, so ".\r\n" after it ends nothing.
      this.#bareLF++;
      const unstuffed = this.#lineStart && content[0] === DOT ? content.subarray(1) : content;
      this.#lineStart = false;
      return { kind: 'text', chunk: withEnding(unstuffed, false) };
    }
    const wasLineStart = this.#lineStart;
    this.#lineStart = true;
    if (wasLineStart && content.length === 1 && content[0] === DOT) {
      this.#mode = 'command';
      return { kind: 'end', bareLF: this.#bareLF, bareCR: this.#bareCR, longLines: this.#longLines };
    }
    const unstuffed = wasLineStart && content[0] === DOT ? content.subarray(1) : content;
    return { kind: 'text', chunk: withEnding(unstuffed, true) };
  }

  #countBareCR(content: Uint8Array): void {
    let i = content.indexOf(CR);
    while (i >= 0) {
      if (content[i + 1] !== LF) this.#bareCR++;
      i = content.indexOf(CR, i + 1);
    }
  }
}

function withEnding(content: Uint8Array, crlf: boolean): Uint8Array {
  const out = new Uint8Array(content.length + (crlf ? 2 : 1));
  out.set(content);
  if (crlf) out.set(CRLF, content.length);
  else out[content.length] = LF;
  return out;
}
