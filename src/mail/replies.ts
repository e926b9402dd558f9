/**
 * Reading a server's replies as a client, sans I/O: SMTP's multi-line `250-...`/`250 ...` replies and
 * POP3's `+OK`/`-ERR` status lines with their dot-terminated bodies.
 * @module
 */
import { MailProtocolError } from './errors.js';
import { LineReader } from './lines.js';

/** A complete SMTP reply. */
export interface SMTPReply {
  code: number;
  /** The text of each line, code and separator removed. */
  lines: string[];
}

/**
 * Assembles SMTP replies from bytes; every line bounded, and the lines of one reply counted.
 *
 * @example
 * reader.feed(bytes);
 * for (let r = reader.next(); r !== null; r = reader.next()) handle(r);
 */
export class SMTPReplyReader {
  readonly #lines: LineReader;
  #pending: string[] = [];
  #code = 0;

  constructor(
    maxLength: number,
    readonly maxLines: number,
  ) {
    this.#lines = new LineReader(maxLength);
  }

  feed(data: Uint8Array): void {
    this.#lines.feed(data);
  }

  /** The next whole reply, or null; throws `MailProtocolError` on a reply that breaks the grammar or the limits. */
  next(): SMTPReply | null {
    for (;;) {
      const e = this.#lines.next();
      if (e === null) return null;
      if (e.kind === 'tooLong') throw new MailProtocolError('reply line too long');
      const line = Buffer.from(e.line).toString('utf8');
      const m = /^([2-5]\d\d)([ -]|$)(.*)$/.exec(line);
      if (m === null) throw new MailProtocolError(`malformed reply line ${JSON.stringify(line.slice(0, 80))}`);
      const code = Number(m[1]);
      if (this.#pending.length > 0 && code !== this.#code) throw new MailProtocolError('reply code changed inside a multi-line reply');
      this.#code = code;
      this.#pending.push(m[3]!);
      if (this.#pending.length > this.maxLines) throw new MailProtocolError('reply has too many lines');
      if (m[2] !== '-') {
        const reply = { code, lines: this.#pending };
        this.#pending = [];
        return reply;
      }
    }
  }
}
