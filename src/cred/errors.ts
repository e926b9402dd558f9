/**
 * Errors of `torsion/cred`, on the one base with stable `TORSION_CRED_...` codes.
 *
 * A refused login is always {@link UnauthorizedLogin} with the same message, whatever the reason (unknown
 * user, wrong password, key not authorized): the reason goes to the log, never to the peer, so a refusal
 * does not tell which user names exist.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** What every refused login says. */
export const UNAUTHORIZED_MESSAGE = 'Login refused';

/** The credentials were checked and refused (Twisted's `UnauthorizedLogin`). */
export class UnauthorizedLogin extends TorsionError {
  override readonly code: string = 'TORSION_CRED_UNAUTHORIZED';
  override name = 'UnauthorizedLogin';
  constructor(
    message = UNAUTHORIZED_MESSAGE,
    /** Seconds until the checker will look at this user's credentials again, when it throttles guessing. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * The public key is authorized for the user, but the credentials carry no signature (SSH's `publickey`
 * query step: the server answers `PK_OK` and waits for a signed request). Still a refusal, so code that
 * only knows {@link UnauthorizedLogin} never logs anyone in with it (Twisted's `conch.error.ValidPublicKey`).
 */
export class ValidPublicKey extends UnauthorizedLogin {
  override readonly code: string = 'TORSION_CRED_VALID_PUBLIC_KEY';
  override name = 'ValidPublicKey';
}

/** No checker of the portal takes this kind of credentials (Twisted's `UnhandledCredentials`). */
export class UnhandledCredentials extends TorsionError {
  override readonly code = 'TORSION_CRED_UNHANDLED';
  override name = 'UnhandledCredentials';
}

/** The realm has no avatar for any interface asked for, or answered with one that was not asked for. */
export class UnsupportedAvatarInterface extends TorsionError {
  override readonly code = 'TORSION_CRED_UNSUPPORTED_INTERFACE';
  override name = 'UnsupportedAvatarInterface';
}

/** An `--auth` string (strcred) that names no checker or gives it bad arguments; the message says which. */
export class BadAuthString extends TorsionError {
  override readonly code = 'TORSION_CRED_BAD_AUTH_STRING';
  override name = 'BadAuthString';
}

/** An SSH public key, signature or `authorized_keys` line that cannot be read or is not allowed. */
export class BadKeyError extends TorsionError {
  override readonly code: string = 'TORSION_CRED_BAD_KEY';
  override name = 'BadKeyError';
}
