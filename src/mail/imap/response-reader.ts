/**
 * The client's sans-I/O response reader: bytes in, whole responses out (lines with their literals), each
 * bounded by `IMAPClientLimits`.
 * @module
 */
import { MailProtocolError } from '../errors.js';
import type { IMAPClientLimits } from '../limits.js';
import { LITERAL_MARK, tokenizeCommand } from './tokens.js';
import type { IMAPValue } from './values.js';

/** One server response: its text with each literal replaced by a mark, and the literals. */
export interface IMAPResponse {
  readonly text: string;
  readonly literals: readonly Uint8Array[];
}

/** The values of an untagged response after `* ` (`1 FETCH (...)` gives `1`, `FETCH`, `(...)`). */
export function responseValues(response: IMAPResponse): IMAPValue[] {
  const c = tokenizeCommand(`x ${response.text.slice(2)}`, response.literals, 64);
  return [{ type: 'atom', value: c.name }, ...c.args];
}

/** Reads responses from bytes cut anywhere; throws MailProtocolError past a limit. */
export class IMAPResponseReader {
  #buffer: Uint8Array = new Uint8Array(0);
  #text = '';
  #literals: Uint8Array[] = [];
  #literalLeft = 0;

  constructor(private readonly limits: IMAPClientLimits) {}

  feed(data: Uint8Array): void {
    const merged = new Uint8Array(this.#buffer.length + data.length);
    merged.set(this.#buffer);
    merged.set(data, this.#buffer.length);
    this.#buffer = merged;
  }

  /** The next whole response, or undefined when more bytes are needed. */
  next(): IMAPResponse | undefined {
    for (;;) {
      if (this.#literalLeft > 0) {
        if (this.#buffer.length < this.#literalLeft) return undefined;
        this.#literals.push(this.#buffer.slice(0, this.#literalLeft));
        this.#buffer = this.#buffer.subarray(this.#literalLeft);
        this.#literalLeft = 0;
      }
      const lf = this.#buffer.indexOf(10);
      if (lf < 0) {
        if (this.#text.length + this.#buffer.length > this.limits.maxLineLength) throw new MailProtocolError('IMAP response line too long');
        return undefined;
      }
      const end = lf > 0 && this.#buffer[lf - 1] === 13 ? lf - 1 : lf;
      const line = Buffer.from(this.#buffer.subarray(0, end)).toString('latin1');
      this.#buffer = this.#buffer.subarray(lf + 1);
      if (this.#text.length + line.length > this.limits.maxLineLength) throw new MailProtocolError('IMAP response line too long');
      const literal = /\{(\d{1,12})\}$/.exec(line);
      if (literal !== null && !line.startsWith('+')) {
        const size = Number(literal[1]);
        if (size > this.limits.maxLiteralSize) throw new MailProtocolError(`IMAP literal of ${size} bytes is too large`);
        this.#text += line.slice(0, literal.index) + LITERAL_MARK;
        this.#literalLeft = size;
        if (size === 0) this.#literals.push(new Uint8Array(0));
        continue;
      }
      const response = { text: this.#text + line, literals: this.#literals };
      this.#text = '';
      this.#literals = [];
      return response;
    }
  }
}
