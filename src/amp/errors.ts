/**
 * Errors of the AMP layer, each with a stable `code`. Browser-safe.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The base of AMP's own errors. */
export class AMPError extends TorsionError {
  override readonly code: string = 'TORSION_AMP_ERROR';
  override name = 'AMPError';
}

/** A key or value longer than the wire allows, on the way in or out (Twisted's `TooLong`). */
export class AMPTooLongError extends AMPError {
  override readonly code: string = 'TORSION_AMP_TOO_LONG';
  override name = 'AMPTooLongError';
}

/** Bytes that are not a valid box, or a box that is neither a command, an answer nor an error. */
export class AMPMalformedBoxError extends AMPError {
  override readonly code: string = 'TORSION_AMP_MALFORMED';
  override name = 'AMPMalformedBoxError';
}

/** A value that cannot be encoded or decoded as its argument type, or a required argument missing. */
export class AMPArgumentError extends AMPError {
  override readonly code: string = 'TORSION_AMP_ARGUMENT';
  override name = 'AMPArgumentError';
}

/** The peer failed a call with an `_error_code` the command does not declare (Twisted's `RemoteAmpError`). */
export class RemoteAMPError extends AMPError {
  override readonly code: string = 'TORSION_AMP_REMOTE';
  override name = 'RemoteAMPError';
  /** The `_error_code` the peer sent. */
  readonly errorCode: string;
  /** The `_error_description` the peer sent. */
  readonly description: string;
  /** Whether the peer closes the connection after sending it. */
  readonly fatal: boolean;
  constructor(errorCode: string, description: string, fatal = false) {
    super(`${errorCode}: ${description}`);
    this.errorCode = errorCode;
    this.description = description;
    this.fatal = fatal;
  }
}

/** The peer failed with `UNKNOWN`: an error its command does not declare (Twisted's `UnknownRemoteError`). */
export class UnknownRemoteError extends RemoteAMPError {
  override readonly code = 'TORSION_AMP_UNKNOWN';
  override name = 'UnknownRemoteError';
  constructor(description = 'Unknown Error') {
    super('UNKNOWN', description);
  }
}

/** The peer has no responder for the command (`UNHANDLED`, Twisted's `UnhandledCommand`). */
export class UnhandledCommandError extends RemoteAMPError {
  override readonly code = 'TORSION_AMP_UNHANDLED';
  override name = 'UnhandledCommandError';
  constructor(description = 'Unhandled Command') {
    super('UNHANDLED', description);
  }
}

/** Too many commands are waiting for their answers; the connection is dropped. */
export class AMPTooManyPendingError extends AMPError {
  override readonly code = 'TORSION_AMP_TOO_MANY_PENDING';
  override name = 'AMPTooManyPendingError';
}

/** TLS was asked for twice, or on a transport that cannot do it (Twisted's `OnlyOneTLS`). */
export class AMPTLSError extends AMPError {
  override readonly code = 'TORSION_AMP_TLS';
  override name = 'AMPTLSError';
}

/**
 * The connection is switching, or has switched, to another protocol (a `ProtocolSwitchCommand`): no more
 * AMP calls on it (Twisted's `ProtocolSwitched`).
 */
export class AMPProtocolSwitchedError extends AMPError {
  override readonly code = 'TORSION_AMP_PROTOCOL_SWITCHED';
  override name = 'AMPProtocolSwitchedError';
}
