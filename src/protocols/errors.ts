/**
 * Errors raised by the framings, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The peer sent bytes that are not a valid netstring. */
export class NetstringParseError extends TorsionError {
  override readonly code = 'TORSION_NETSTRING_PARSE';
  override name = 'NetstringParseError';
}

/** A string is too long for the framing: its length does not fit the prefix, or passes `MAX_LENGTH`. */
export class StringTooLongError extends TorsionError {
  override readonly code = 'TORSION_STRING_TOO_LONG';
  override name = 'StringTooLongError';
}
