/**
 * Errors of the IRC layer, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** A line is not a valid IRC message (no command, a bad command, a bad tag section). */
export class IRCParseError extends TorsionError {
  override readonly code = 'TORSION_IRC_PARSE';
  override name = 'IRCParseError';
  /** The line that failed to parse. */
  readonly line: string;
  constructor(message: string, line: string) {
    super(message);
    this.line = line;
  }
}

/**
 * A message cannot be written as one IRC line: a CR, LF or NUL inside it (the line-injection attack), a
 * middle parameter that is empty, holds a space or starts with `:`, or a bad command.
 */
export class IRCFormatError extends TorsionError {
  override readonly code = 'TORSION_IRC_FORMAT';
  override name = 'IRCFormatError';
}

/** A message is longer than the IRC limits (512 bytes for the message, 8191 for the tags). */
export class IRCMessageTooLongError extends TorsionError {
  override readonly code = 'TORSION_IRC_TOO_LONG';
  override name = 'IRCMessageTooLongError';
}

/** The server answered a request (WHOIS, NAMES) with an error numeric, or the connection ended first. */
export class IRCReplyError extends TorsionError {
  override readonly code = 'TORSION_IRC_REPLY';
  override name = 'IRCReplyError';
  /** The error numeric (`401`), or undefined when the connection was lost. */
  readonly numeric: string | undefined;
  constructor(message: string, numeric?: string) {
    super(message);
    this.numeric = numeric;
  }
}
