/**
 * Errors of the SSH connection layer, with stable `TORSION_SSH_...` codes.
 * @module
 */
import { SSHError } from '../errors.js';
import { OPEN_ADMINISTRATIVELY_PROHIBITED } from './messages.js';

/**
 * A channel open refused, by the peer or to it (Twisted's `ConchError` for opens): `reason` is the
 * RFC 4254 §5.1 code the peer gets or sent.
 */
export class ChannelOpenError extends SSHError {
  override readonly code = 'TORSION_SSH_CHANNEL_OPEN';
  override name = 'ChannelOpenError';
  constructor(
    message: string,
    readonly reason: number = OPEN_ADMINISTRATIVELY_PROHIBITED,
  ) {
    super(message);
  }
}

/** The peer answered a channel or global request with FAILURE. */
export class RequestFailedError extends SSHError {
  override readonly code = 'TORSION_SSH_REQUEST_FAILED';
  override name = 'RequestFailedError';
}

/** The channel (or the whole connection) closed before the answer came. */
export class ChannelClosedError extends SSHError {
  override readonly code = 'TORSION_SSH_CHANNEL_CLOSED';
  override name = 'ChannelClosedError';
}

/** A forwarding request whose destination the allow-list does not permit. */
export class ForwardingRefusedError extends SSHError {
  override readonly code = 'TORSION_SSH_FORWARDING_REFUSED';
  override name = 'ForwardingRefusedError';
}

/** `exec` collected more output than `maxExecOutputBytes`. */
export class ExecOutputTooLargeError extends SSHError {
  override readonly code = 'TORSION_SSH_EXEC_OUTPUT_TOO_LARGE';
  override name = 'ExecOutputTooLargeError';
}

/** The npm package `@lydell/node-pty`, an optional peer dependency of torsion needed for terminals, is not installed. */
export class SSHPtyNotInstalledError extends SSHError {
  override readonly code = 'TORSION_SSH_PTY_NOT_INSTALLED';
  override name = 'SSHPtyNotInstalledError';
  constructor(options?: { cause?: unknown }) {
    super('terminals (pty-req) need the npm package "@lydell/node-pty", an optional peer dependency of torsion: npm install @lydell/node-pty', options);
  }
}
