/**
 * `IRCLineReceiver`: the IRC framing on top of `LineReceiver`. It splits lines on LF (dropping a CR before it,
 * since some peers send bare LF), enforces the RFC 1459 and IRCv3 limits, decodes UTF-8 (falling back to
 * Latin-1, as IRC clients do for old peers), parses, and hands `messageReceived` one {@link IRCMessage} at a
 * time. Browser-safe.
 * @module
 */
import type { ITransport } from '../internet/interfaces.js';
import { LineReceiver, type LineTransport } from '../protocols/line-receiver.js';
import { Logger } from '../logger/index.js';
import { IRCMessageTooLongError, IRCParseError } from './errors.js';
import { formatMessage, makeMessage, parseMessage, type IRCMessage } from './message.js';
import { IRC_MAX_MESSAGE_BYTES, IRC_MAX_TAG_BYTES } from './limits.js';


const log = new Logger({ namespace: 'torsion.irc' });
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
const encoder = new TextEncoder();

/** Which limit a line broke: the tag section or the message part. */
export type IRCLimit = 'tags' | 'message';

/** A line as text: UTF-8 when it is valid UTF-8, Latin-1 otherwise. */
export function decodeIRCLine(line: Uint8Array): string {
  // Most lines are ASCII, and building short strings from char codes beats a TextDecoder call per line.
  if (line.length <= 1024) {
    let ascii = true;
    for (let i = 0; i < line.length && ascii; i++) ascii = line[i] < 0x80;
    if (ascii) return String.fromCharCode.apply(null, line as unknown as number[]);
  }
  try {
    return utf8.decode(line);
  } catch {
    return latin1.decode(line);
  }
}

/**
 * Receives and sends IRC messages. Subclasses override {@link IRCLineReceiver.messageReceived}.
 *
 * What a peer can make it do is bounded: a line over either limit goes to
 * {@link IRCLineReceiver.messageTooLong} and is dropped, and one longer than both limits together is never
 * buffered past `MAX_LENGTH`: the rest of it is skipped up to its LF, and the lines after it are read as
 * usual (so the connection survives, and a server can answer 417); a line that does not parse goes to
 * {@link IRCLineReceiver.malformedMessage}; and an exception from `messageReceived` is logged, so nothing a
 * peer sends makes `dataReceived` throw.
 *
 * @example
 * class Ponger extends IRCLineReceiver {
 *   override messageReceived(msg: IRCMessage) { if (msg.command === 'PING') this.sendCommand('PONG', ...msg.params); }
 * }
 */
export class IRCLineReceiver<T extends LineTransport = ITransport> extends LineReceiver<T> {
  override delimiter = '\n';
  /** The message-part limit in bytes, CRLF included; raise it only for peers known to send more. */
  MAX_MESSAGE_BYTES = IRC_MAX_MESSAGE_BYTES;
  /** The tag-section limit in bytes. */
  MAX_TAG_BYTES = IRC_MAX_TAG_BYTES;
  /** Both limits together: no line is buffered beyond this (without its LF). */
  override MAX_LENGTH = IRC_MAX_MESSAGE_BYTES + IRC_MAX_TAG_BYTES;

  /** Override: one parsed message. */
  messageReceived(_msg: IRCMessage): void {}

  /**
   * A line broke a limit; it is dropped and reading goes on. `line` is the line, or for one longer than
   * `MAX_LENGTH` its first `MAX_LENGTH` bytes. The default logs it; a server overrides it to answer
   * `ERR_INPUTTOOLONG` (417).
   */
  messageTooLong(line: Uint8Array, limit: IRCLimit): void {
    log.debug('dropped an IRC line of {length} bytes over the {limit} limit', { length: line.length, limit });
  }

  /** True while the rest of a line too long to buffer is skipped, up to its LF. */
  #skipping = false;
  /** Set by `lineLengthExceeded`: what followed that line's LF in the data handed over, to read next. */
  #rest: Uint8Array | undefined;
  #reading = false;
  /** Data that arrived while a chunk was being read (a handler's write looped back): read after it, in order; made on first use. */
  #later: Uint8Array[] | undefined;

  /**
   * Reads `data`, skipping what is left of a line too long to buffer. `LineReceiver` stops reading a chunk at
   * such a line; what followed its LF is read again here.
   */
  override dataReceived(data: Uint8Array): void {
    if (this.#reading) {
      (this.#later ??= []).push(data);
      return;
    }
    this.#reading = true;
    try {
      let chunk: Uint8Array | undefined = data;
      while (chunk !== undefined) {
        this.#read(chunk);
        chunk = this.#later?.shift();
      }
    } finally {
      this.#reading = false;
      this.#later = undefined;
    }
  }

  #read(data: Uint8Array): void {
    let chunk = data;
    while (chunk.length > 0) {
      if (this.#skipping) {
        const lf = chunk.indexOf(10);
        if (lf < 0) return;
        this.#skipping = false;
        chunk = chunk.subarray(lf + 1);
        continue;
      }
      super.dataReceived(chunk);
      const rest = this.#rest;
      if (rest === undefined || this.transport?.disconnecting) return;
      this.#rest = undefined;
      chunk = rest;
    }
  }

  /** A line passed `MAX_LENGTH`: it is reported to `messageTooLong`, and the rest of it is skipped. */
  override lineLengthExceeded(data: Uint8Array): void {
    const lf = data.indexOf(10);
    const line = lf < 0 ? data : data.subarray(0, lf);
    if (lf < 0) this.#skipping = true;
    else this.#rest = data.subarray(lf + 1);
    this.messageTooLong(line.slice(0, this.MAX_LENGTH), this.#brokenLimit(line) ?? 'message');
  }

  /** A line did not parse. The default ignores it, as RFC 1459 asks of malformed input. */
  malformedMessage(line: string, error: IRCParseError): void {
    log.debug('ignored a malformed IRC line: {reason}', { reason: error.message, line: line.slice(0, 80) });
  }

  override lineReceived(raw: Uint8Array): void {
    const line = raw.length > 0 && raw[raw.length - 1] === 13 ? raw.subarray(0, raw.length - 1) : raw;
    if (line.length === 0) return;
    const limit = this.#brokenLimit(line);
    if (limit !== undefined) {
      this.messageTooLong(line.slice(), limit);
      return;
    }
    const text = decodeIRCLine(line);
    let msg: IRCMessage;
    try {
      msg = parseMessage(text);
    } catch (e) {
      this.malformedMessage(text, e as IRCParseError);
      return;
    }
    try {
      this.messageReceived(msg);
    } catch (e) {
      log.error('messageReceived raised on {command}: {error}', { command: msg.command, error: String((e as Error)?.stack ?? e) });
    }
  }

  /**
   * Writes `msg` followed by CRLF.
   * @throws {IRCFormatError} when the message cannot be one line (see `formatMessage`).
   * @throws {IRCMessageTooLongError} when it breaks the limits: split long text first (`splitMessage`).
   */
  sendMessage(msg: IRCMessage): void {
    this.transport.write(this.encodeMessage(msg));
  }

  /**
   * `msg` as the bytes of one line, CRLF included, checked as `sendMessage` checks it.
   * @throws {IRCFormatError} or {IRCMessageTooLongError}, as `sendMessage`.
   */
  encodeMessage(msg: IRCMessage): Uint8Array {
    const bytes = encoder.encode(`${formatMessage(msg)}\r\n`);
    const limit = this.#brokenLimit(bytes.subarray(0, bytes.length - 2));
    if (limit !== undefined) throw new IRCMessageTooLongError(`IRC message over the ${limit} limit (${bytes.length} bytes)`);
    return bytes;
  }

  /**
   * Sends a command with no tags or prefix.
   * @example this.sendCommand('PRIVMSG', '#chan', 'hello')
   */
  sendCommand(command: string, ...params: string[]): void {
    this.sendMessage(makeMessage(command, ...params));
  }

  #brokenLimit(line: Uint8Array): IRCLimit | undefined {
    let start = 0;
    if (line[0] === 64) {
      const space = line.indexOf(32);
      start = space < 0 ? line.length : space + 1;
      if (start > this.MAX_TAG_BYTES) return 'tags';
      while (line[start] === 32) start++;
    }
    return line.length - start + 2 > this.MAX_MESSAGE_BYTES ? 'message' : undefined;
  }
}
