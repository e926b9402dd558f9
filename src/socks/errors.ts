/**
 * Errors of the SOCKS layer, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The base of SOCKS errors. */
export class SOCKSError extends TorsionError {
  override readonly code: string = 'TORSION_SOCKS_ERROR';
  override name = 'SOCKSError';
}

/** Bytes that break the SOCKS protocol (a bad version, a field too long, an unknown address type). */
export class SOCKSProtocolError extends SOCKSError {
  override readonly code = 'TORSION_SOCKS_PROTOCOL';
  override name = 'SOCKSProtocolError';
}

/** The proxy refused the login, or offered no method the client can use. */
export class SOCKSAuthError extends SOCKSError {
  override readonly code = 'TORSION_SOCKS_AUTH';
  override name = 'SOCKSAuthError';
}

/** The proxy answered the request with a failure; `reply` is its SOCKS5 reply code (or SOCKS4's 91..93). */
export class SOCKSConnectError extends SOCKSError {
  override readonly code = 'TORSION_SOCKS_CONNECT';
  override name = 'SOCKSConnectError';
  readonly reply: number;
  constructor(message: string, reply: number) {
    super(message);
    this.reply = reply;
  }
}

/** A `--allow` value that is not an address range. */
export class SOCKSBadRangeError extends SOCKSError {
  override readonly code = 'TORSION_SOCKS_BAD_RANGE';
  override name = 'SOCKSBadRangeError';
}
