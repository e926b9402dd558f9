/**
 * A bounded line reader, sans I/O: the POP3 server's commands and the clients' replies. A line over the
 * limit is reported once and skipped to its end, so a peer that never sends a line end costs at most the
 * limit. Both CRLF and a lone LF end a line here (these are commands and replies, not message text:
 * message text goes through {@link DotReader} or the SMTP server's codec).
 * @module
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** A line (without its end), or the report of one too long. */
export type LineEvent = { kind: 'line'; line: Uint8Array } | { kind: 'tooLong' };

/**
 * Bytes in, lines out.
 *
 * @example
 * const reader = new LineReader(1024);
 * reader.feed(bytes);
 * for (let e = reader.next(); e !== null; e = reader.next()) if (e.kind === 'line') handle(e.line);
 */
export class LineReader {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #skipping = false;

  constructor(public maxLength: number) {}

  feed(data: Uint8Array): void {
    if (this.#pos >= this.#buf.length) this.#buf = data;
    else {
      const rest = this.#buf.subarray(this.#pos);
      const joined = new Uint8Array(rest.length + data.length);
      joined.set(rest);
      joined.set(data, rest.length);
      this.#buf = joined;
    }
    this.#pos = 0;
  }

  /** Removes and returns the input not yet read (what follows `STLS`, for TLS). */
  takeBuffered(): Uint8Array {
    const rest = this.#buf.subarray(this.#pos);
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
    return rest;
  }

  next(): LineEvent | null {
    const buf = this.#buf;
    for (;;) {
      const lf = buf.indexOf(LF, this.#pos);
      if (lf < 0) {
        if (buf.length - this.#pos > this.maxLength + 1) {
          const wasSkipping = this.#skipping;
          this.#skipping = true;
          this.#pos = buf.length;
          if (!wasSkipping) return { kind: 'tooLong' };
        }
        return null;
      }
      const start = this.#pos;
      this.#pos = lf + 1;
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      const end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
      if (end - start > this.maxLength) return { kind: 'tooLong' };
      return { kind: 'line', line: buf.subarray(start, end) };
    }
  }
}

/** `text` dot-stuffed (a `.` doubled at each line start), ending in CRLF, with the `.` line that ends it (RFC 1939 §3, RFC 5321 §4.5.2). */
export function dotStuff(text: Uint8Array): Uint8Array {
  let dots = text[0] === DOT ? 1 : 0;
  for (let i = text.indexOf(LF); i >= 0 && i + 1 < text.length; i = text.indexOf(LF, i + 1)) if (text[i + 1] === DOT) dots++;
  const endsWithCRLF = text.length >= 2 && text[text.length - 2] === CR && text[text.length - 1] === LF;
  const tail = text.length === 0 || endsWithCRLF ? 3 : 5;
  const out = new Uint8Array(text.length + dots + tail);
  let o = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const b = text[i]!;
    if (lineStart && b === DOT) out[o++] = DOT;
    out[o++] = b;
    lineStart = b === LF;
  }
  if (tail === 5) {
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return out;
}

/**
 * `text` with every line ending a CRLF: a lone LF or a lone CR becomes CRLF. Mail sent on is normalised so
 * no server behind this one can read a bare line end as something else (the smuggling trick's raw material).
 */
export function normalizeLineEnds(text: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === CR && text[i + 1] !== LF) extra++;
    else if (text[i] === LF && (i === 0 || text[i - 1] !== CR)) extra++;
  }
  if (extra === 0) return text;
  const out = new Uint8Array(text.length + extra);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const b = text[i]!;
    if (b === CR && text[i + 1] !== LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (b === LF && (i === 0 || text[i - 1] !== CR)) {
      out[o++] = CR;
      out[o++] = LF;
    } else out[o++] = b;
  }
  return out;
}
