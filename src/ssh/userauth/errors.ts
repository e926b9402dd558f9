/**
 * Errors of SSH user authentication, with stable `TORSION_SSH_...` codes.
 * @module
 */
import { SSHError } from '../errors.js';

/** The client ran out of methods: the server refused every one it tried. */
export class AuthenticationFailedError extends SSHError {
  override readonly code = 'TORSION_SSH_AUTH_FAILED';
  override name = 'AuthenticationFailedError';
  constructor(
    /** The methods tried and refused, in order (`publickey`, `password`, `keyboard-interactive`). */
    readonly failedMethods: readonly string[],
    /** The methods the server said can continue, in its last answer. */
    readonly serverMethods: readonly string[],
  ) {
    super(`SSH authentication failed (tried: ${failedMethods.join(', ') || 'nothing'}; the server allows: ${serverMethods.join(', ') || 'nothing'})`);
  }
}

/** The connection ended (or the service was replaced) before authentication finished. */
export class AuthenticationAbortedError extends SSHError {
  override readonly code = 'TORSION_SSH_AUTH_ABORTED';
  override name = 'AuthenticationAbortedError';
}
