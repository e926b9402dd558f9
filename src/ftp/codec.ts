/**
 * The control connection's wire format, sans I/O: command lines (RFC 959 section 4.1) and replies
 * (section 4.2, single and multi-line). Paths travel as UTF-8 (RFC 2640); a line with a NUL or a bare CR
 * inside is refused, since a name holding either is how a path smuggles a second command.
 * @module
 */
import { FTPParseError } from './errors.js';

/** A parsed command line. */
export interface FTPCommand {
  /** The verb, upper-cased (`RETR`). */
  readonly verb: string;
  /** Everything after the first space, untouched (a path may start or end with spaces); '' when none. */
  readonly argument: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses one command line (without its CRLF). Throws `FTPParseError` for an empty line, a verb that is not
 * 3-4 ASCII letters, or a NUL, CR or LF inside.
 *
 * @example
 * parseCommand('RETR my file.txt') // { verb: 'RETR', argument: 'my file.txt' }
 */
export function parseCommand(line: Uint8Array | string): FTPCommand {
  const text = typeof line === 'string' ? line : decoder.decode(line);
  if (/[\0\r\n]/.test(text)) throw new FTPParseError('command line holds NUL, CR or LF');
  const space = text.indexOf(' ');
  const verb = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  if (!/^[A-Z]{3,4}$/.test(verb)) throw new FTPParseError(`not an FTP command: ${JSON.stringify(verb.slice(0, 16))}`);
  return { verb, argument: space < 0 ? '' : text.slice(space + 1) };
}

/**
 * A reply as sent: `code text` for one line, `code-first`, ..., `code last` for several. A continuation line
 * that starts with a digit gets a space first, so a client never takes it for the end (RFC 959 4.2).
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  const lines = (typeof text === 'string' ? text.split(/\r?\n/) : [...text]).map((l) => l.replace(/[\r\n]/g, ' '));
  if (lines.length === 0) lines.push('');
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const out = [`${code}-${lines[0]}`];
  for (const l of lines.slice(1, -1)) out.push(/^\d/.test(l) ? ` ${l}` : l);
  out.push(`${code} ${lines[lines.length - 1]}`);
  return out.join('\r\n') + '\r\n';
}

/** A complete reply. */
export interface FTPReply {
  /** The three-digit code. */
  readonly code: number;
  /** Every line as received, the code included. */
  readonly lines: readonly string[];
}

/** The text of a reply without its codes: each line with `NNN ` / `NNN-` taken off where present. */
export function replyText(reply: FTPReply): string {
  return reply.lines.map((l) => (/^\d{3}[ -]/.test(l) ? l.slice(4) : l.replace(/^ /, ''))).join('\n');
}

/**
 * Gathers reply lines into replies: `feed(line)` returns the reply once its last line came, else null.
 * Throws `FTPParseError` for a first line without a code and `RangeError`-free `FTPParseError` once a
 * reply has more lines than `maxLines`.
 */
export class ReplyParser {
  #code: string | null = null;
  #lines: string[] = [];

  constructor(readonly maxLines = 1000) {}

  /** Feeds one line (without its CRLF). */
  feed(line: string): FTPReply | null {
    if (this.#code === null) {
      const m = /^([1-5]\d\d)([ -]|$)/.exec(line);
      if (m === null) throw new FTPParseError(`not an FTP reply: ${JSON.stringify(line.slice(0, 40))}`);
      if (m[2] !== '-') return { code: Number(m[1]), lines: [line] };
      this.#code = m[1];
      this.#lines = [line];
      return null;
    }
    this.#lines.push(line);
    if (this.#lines.length > this.maxLines) throw new FTPParseError(`reply longer than ${this.maxLines} lines`);
    if (line.startsWith(`${this.#code} `) || line === this.#code) {
      const reply = { code: Number(this.#code), lines: this.#lines };
      this.#code = null;
      this.#lines = [];
      return reply;
    }
    return null;
  }
}
