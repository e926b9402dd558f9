/**
 * The NNTP wire format, sans I/O (RFC 3977 §3): CRLF lines, commands, status lines, and multi-line blocks
 * with dot-stuffing. Lines are handled as Latin-1 strings (one character per byte), so 8-bit article
 * content passes through untouched; {@link utf8Text} decodes what a person reads.
 * @module
 */
import { NNTPLineTooLongError, NNTPSyntaxError } from './errors.js';

const LF = 0x0a;
const CR = 0x0d;

/** Latin-1 string of `bytes` (one character per byte). */
export function bytesToLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Bytes of a Latin-1 string. */
export function latin1ToBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** A Latin-1 wire string read as UTF-8 (what people write in headers and bodies nowadays). */
export function utf8Text(wire: string): string {
  return Buffer.from(wire, 'latin1').toString('utf8');
}

/** A UTF-8 string as a Latin-1 wire string. */
export function wireText(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Cuts a byte stream into lines at LF (a CR before it is dropped), one line per {@link nextLine} call so
 * a reader can stop between lines (STARTTLS hands the rest to TLS). A line longer than `maxLength`, ended
 * or not, throws {@link NNTPLineTooLongError} instead of growing the buffer without bound.
 */
export class LineSplitter {
  #buf: Buffer = Buffer.alloc(0);
  #start = 0;

  constructor(
    /** The longest line accepted, without its line end. */
    public maxLength: number,
  ) {}

  /** Adds received bytes. */
  push(data: Uint8Array): void {
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.#start >= this.#buf.length) {
      this.#buf = chunk;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#start), chunk]);
    }
    this.#start = 0;
  }

  /** Bytes held and not yet returned as lines. */
  get held(): number {
    return this.#buf.length - this.#start;
  }

  /** The next complete line, or null until more bytes arrive. */
  nextLine(): string | null {
    const buf = this.#buf;
    const start = this.#start;
    const end = buf.indexOf(LF, start);
    if (end < 0) {
      // +1: the CR of a CRLF may be the held line's last byte.
      if (buf.length - start > this.maxLength + 1) throw new NNTPLineTooLongError(`unterminated line over the limit of ${this.maxLength} bytes`);
      return null;
    }
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    if (stop - start > this.maxLength) throw new NNTPLineTooLongError(`line of ${stop - start} bytes, over the limit of ${this.maxLength}`);
    this.#start = end + 1;
    return buf.toString('latin1', start, stop);
  }

  /** Every complete line now held. */
  lines(): string[] {
    const out: string[] = [];
    for (let line = this.nextLine(); line !== null; line = this.nextLine()) out.push(line);
    return out;
  }

  /** Removes and returns the bytes held after the last line returned (handed to TLS at STARTTLS). */
  takeRest(): Uint8Array {
    const rest = Buffer.from(this.#buf.subarray(this.#start));
    this.#buf = Buffer.alloc(0);
    this.#start = 0;
    return rest;
  }
}

/** A command line split into its verb (upper-cased) and arguments. */
export interface NNTPCommand {
  verb: string;
  args: string[];
}

/** Parses a command line (RFC 3977 §3.1): words separated by spaces or tabs, no NUL or CR. */
export function parseCommand(line: string): NNTPCommand {
  if (/[\0\r\n]/.test(line)) throw new NNTPSyntaxError('command holds a NUL, CR or LF');
  const words = line.split(/[ \t]+/).filter((w) => w !== '');
  const verb = words.shift();
  if (verb === undefined) throw new NNTPSyntaxError('empty command');
  return { verb: verb.toUpperCase(), args: words };
}

/** Formats a command line with its CRLF, refusing arguments that would inject another line. */
export function formatCommand(verb: string, ...args: readonly string[]): string {
  for (const part of [verb, ...args]) {
    if (part === '' || /[\0\r\n \t]/.test(part)) throw new NNTPSyntaxError(`bad command word ${JSON.stringify(part)}`);
  }
  return [verb, ...args].join(' ') + '\r\n';
}

/** A status line: three digits and text. */
export interface StatusLine {
  status: number;
  text: string;
}

/** Parses a response's first line (RFC 3977 §3.2). */
export function parseStatusLine(line: string): StatusLine {
  const m = /^([1-5][0-9][0-9])(?:[ \t](.*))?$/s.exec(line);
  if (!m) throw new NNTPSyntaxError(`bad status line ${JSON.stringify(line.slice(0, 80))}`);
  return { status: Number(m[1]), text: m[2] ?? '' };
}

/** A line as sent inside a multi-line block: a leading dot doubled. */
export function dotStuff(line: string): string {
  return line.charCodeAt(0) === 0x2e ? '.' + line : line;
}

/** A line received inside a multi-line block, undone; `null` for the terminating `.`. */
export function dotUnstuff(line: string): string | null {
  if (line.charCodeAt(0) !== 0x2e) return line;
  return line.length === 1 ? null : line.slice(1);
}

/** A multi-line block's wire form: each line stuffed and CRLF-terminated, then the `.` line. */
export function encodeBlock(lines: Iterable<string>): string {
  let out = '';
  for (const line of lines) out += dotStuff(line) + '\r\n';
  return out + '.\r\n';
}

/**
 * The lines of an article's bytes, for sending as a block: split at CRLF (a lone LF is a line end too, a
 * trailing line end does not make an empty last line).
 */
export function articleLines(article: string): string[] {
  const lines = article.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Matches `name` against a wildmat (RFC 3977 §4): comma-separated patterns of `*` and `?`, the last
 * matching one deciding, `!` negating. Linear-time per pattern (no regular expressions), so a hostile
 * pattern like `*a*a*a*a*b` cannot freeze the server.
 */
export function wildmatMatch(wildmat: string, name: string): boolean {
  let result = false;
  for (const raw of wildmat.split(',')) {
    const negate = raw.startsWith('!');
    const pattern = negate ? raw.slice(1) : raw;
    if (globMatch(pattern, name)) result = !negate;
  }
  return result;
}

function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A range argument (RFC 3977 §3.1.2: `n`, `n-`, `n-m`); `high` is Infinity for `n-`. Null if malformed. */
export function parseRange(arg: string): { low: number; high: number } | null {
  const m = /^(\d{1,16})(-(\d{1,16})?)?$/.exec(arg);
  if (!m) return null;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : m[3] === undefined ? Infinity : Number(m[3]);
  return { low, high };
}

/** A message-id argument `<...>` (RFC 3977 §3.6): printable ASCII, at most 250 bytes. */
export function isMessageId(arg: string): boolean {
  return arg.length >= 3 && arg.length <= 250 && /^<[\x21-\x3d\x3f-\x7e]+>$/.test(arg);
}

/**
 * The time of a NEWGROUPS/NEWNEWS date and time (`yyyymmdd hhmmss`, or the old `yymmdd`), in seconds since
 * the epoch, UTC (the server's local time is UTC here, so the `GMT` argument changes nothing). Null if bad.
 */
export function parseDateTime(date: string, time: string, now: number): number | null {
  if (!/^(\d{6}|\d{8})$/.test(date) || !/^\d{6}$/.test(time)) return null;
  let year: number;
  let rest: string;
  if (date.length === 8) {
    year = Number(date.slice(0, 4));
    rest = date.slice(4);
  } else {
    // RFC 3977 §7.3.2: the century is the one making the date closest to now, not more than 50 years ahead.
    const yy = Number(date.slice(0, 2));
    const thisYear = new Date(now * 1000).getUTCFullYear();
    year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    rest = date.slice(2);
  }
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const [hh, mm, ss] = [Number(time.slice(0, 2)), Number(time.slice(2, 4)), Number(time.slice(4, 6))];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  return Date.UTC(year, month - 1, day, hh, mm, ss) / 1000;
}

/** `seconds` as the `yyyymmddhhmmss` of DATE, or with a space after the date for NEWGROUPS/NEWNEWS. */
export function formatDateTime(seconds: number, separator = ''): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${separator}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}
