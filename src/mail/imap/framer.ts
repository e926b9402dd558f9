/**
 * The sans-I/O IMAP command reader (RFC 3501 §2.2, §4.3; RFC 7888 LITERAL+): bytes in, whole commands out,
 * with synchronising literals announced so the server can send its `+` continuation, and every limit of
 * `IMAPLimits` checked before memory is spent.
 * @module
 */
import { IMAPLimitError, IMAPParseError } from '../errors.js';
import { IMAP_LIMITS, type IMAPLimits } from '../limits.js';
import { tokenizeCommand, LITERAL_MARK } from './tokens.js';
import type { IMAPCommand } from './values.js';

/** What the reader produced: a command, a request for a `+` continuation, a raw line asked for, or an error. */
export type IMAPReaderEvent =
  | { readonly type: 'command'; readonly command: IMAPCommand }
  | { readonly type: 'continue' }
  | { readonly type: 'line'; readonly text: string }
  | { readonly type: 'error'; readonly error: IMAPParseError };

const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

/**
 * Reads IMAP commands from bytes cut anywhere. Feed with {@link feed}, then pull events with {@link next}
 * one at a time: the server may switch the reader (to raw lines for AUTHENTICATE and IDLE) between two.
 */
export class IMAPCommandReader {
  private readonly limits: IMAPLimits;
  private buffer: Uint8Array = new Uint8Array(0);
  private text = '';
  private literals: Uint8Array[] = [];
  private literalTotal = 0;
  private literalLeft = 0;
  private literalChunks: Uint8Array[] = [];
  /** Set while a literal is being swallowed or an overlong line discarded; the error to give at the line's end. */
  private discarding: IMAPParseError | undefined;
  private rawLines = 0;

  constructor(limits: Partial<IMAPLimits> = {}) {
    this.limits = { ...IMAP_LIMITS, ...limits };
  }

  /** Adds received bytes. */
  feed(data: Uint8Array): void {
    if (data.length === 0) return;
    const merged = new Uint8Array(this.buffer.length + data.length);
    merged.set(this.buffer);
    merged.set(data, this.buffer.length);
    this.buffer = merged;
  }

  /** The next complete line is handed on raw (an AUTHENTICATE response, IDLE's DONE), not parsed. */
  expectRawLine(): void {
    this.rawLines = 1;
  }

  /** Hands back, and forgets, what is buffered and not yet read: after STARTTLS it belongs to TLS, never to the session. */
  takeBuffered(): Uint8Array {
    const rest = this.buffer;
    this.buffer = new Uint8Array(0);
    this.resetCommand();
    this.discarding = undefined;
    return rest;
  }

  /** The next event, or undefined when more bytes are needed. */
  next(): IMAPReaderEvent | undefined {
    for (;;) {
      if (this.literalLeft > 0) {
        if (this.buffer.length === 0) return undefined;
        const take = Math.min(this.literalLeft, this.buffer.length);
        if (this.discarding === undefined) this.literalChunks.push(this.buffer.slice(0, take));
        this.buffer = this.buffer.subarray(take);
        this.literalLeft -= take;
        if (this.literalLeft > 0) return undefined;
        if (this.discarding === undefined) this.literals.push(concat(this.literalChunks));
        this.literalChunks = [];
        continue;
      }
      const lf = this.buffer.indexOf(10);
      if (lf < 0) {
        if (this.discarding === undefined && this.text.length + this.buffer.length > this.limits.maxCommandLength) {
          this.discarding = new IMAPLimitError('command line too long', tagOf(this.text + latin1(this.buffer.subarray(0, 64))));
        }
        if (this.discarding !== undefined) this.buffer = new Uint8Array(0);
        return undefined;
      }
      const end = lf > 0 && this.buffer[lf - 1] === 13 ? lf - 1 : lf;
      const line = latin1(this.buffer.subarray(0, end));
      this.buffer = this.buffer.subarray(lf + 1);
      if (this.rawLines > 0 && this.text === '' && this.discarding === undefined) {
        this.rawLines = 0;
        if (line.length > this.limits.maxCommandLength) return { type: 'error', error: new IMAPLimitError('line too long') };
        return { type: 'line', text: line };
      }
      const event = this.onLine(line);
      if (event !== undefined) return event;
    }
  }

  private onLine(line: string): IMAPReaderEvent | undefined {
    const literal = LITERAL_AT_END.exec(line);
    if (this.discarding !== undefined) {
      // Swallow the rest of a refused command: a LITERAL+ literal's bytes arrive whatever we answer.
      if (literal !== null && literal[2] === '+') {
        this.literalLeft = Number(literal[1]);
        return undefined;
      }
      const error = this.discarding;
      this.discarding = undefined;
      this.resetCommand();
      return { type: 'error', error };
    }
    if (this.text.length + line.length > this.limits.maxCommandLength) {
      const error = new IMAPLimitError('command line too long', tagOf(this.text + line));
      this.resetCommand();
      return { type: 'error', error };
    }
    if (literal === null) {
      const text = this.text + line;
      const literals = this.literals;
      this.resetCommand();
      try {
        return { type: 'command', command: tokenizeCommand(text, literals, this.limits.maxNestingDepth) };
      } catch (error) {
        if (error instanceof IMAPParseError) return { type: 'error', error };
        throw error;
      }
    }
    const size = Number(literal[1]);
    const nonSync = literal[2] === '+';
    this.text += line.slice(0, literal.index) + LITERAL_MARK;
    const refusal =
      size > this.limits.maxLiteralSize || this.literalTotal + size > this.limits.maxCommandSize
        ? 'literal too large'
        : this.literals.length + 1 > this.limits.maxLiterals
          ? 'too many literals'
          : undefined;
    if (refusal !== undefined) {
      const error = new IMAPLimitError(refusal, tagOf(this.text));
      if (!nonSync) {
        // The client sends nothing of a synchronising literal we refuse: the command ends here.
        this.resetCommand();
        return { type: 'error', error };
      }
      this.discarding = error;
      this.literalLeft = size;
      return undefined;
    }
    this.literalTotal += size;
    this.literalLeft = size;
    if (size === 0) this.literals.push(new Uint8Array(0));
    return nonSync ? undefined : { type: 'continue' };
  }

  private resetCommand(): void {
    this.text = '';
    this.literals = [];
    this.literalTotal = 0;
    this.literalLeft = 0;
    this.literalChunks = [];
  }
}

function tagOf(text: string): string {
  const m = /^([\x21-\x7e]+) /.exec(text);
  return m !== null && !/[(){%*"\\+\u0100]/.test(m[1]!) ? m[1]! : '';
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
