/**
 * Every limit of `torsion/cred` a peer (or a file a peer may write) can push against, with its default.
 * Checkers take a `Partial<CredLimits>` and fill the rest from {@link DEFAULT_CRED_LIMITS}.
 * @module
 */

/** The limits of `torsion/cred`. */
export interface CredLimits {
  /** Characters of a password; a longer one is refused before any hashing (4096). */
  maxPasswordLength: number;
  /** Characters of a user name; a longer one is refused before any lookup (1024). */
  maxUsernameLength: number;
  /** Bytes of a password file (`FilePasswordDB`, `/etc/passwd` for home folders) read at most (16 MiB). */
  maxPasswordFileBytes: number;
  /** Bytes of one `authorized_keys` file read at most (1 MiB). */
  maxAuthorizedKeysFileBytes: number;
  /** Characters of one `authorized_keys` line; a longer line is skipped (32768). */
  maxAuthorizedKeysLineLength: number;
  /** Bytes of an SSH public key blob, as OpenSSH's `SSH_MAX_PUBKEY_BYTES` (16384). */
  maxPublicKeyBytes: number;
  /** Bytes of the data a signature covers (262144, an SSH packet's worth). */
  maxSignedDataBytes: number;
  /** Smallest RSA modulus accepted, in bits, as OpenSSH's `RequiredRSASize` (1024). */
  minRSABits: number;
  /** Largest RSA modulus accepted, in bits, as OpenSSH's bignum limit (16384). */
  maxRSABits: number;
}

/** The defaults. */
export const DEFAULT_CRED_LIMITS: Readonly<CredLimits> = Object.freeze({
  maxPasswordLength: 4096,
  maxUsernameLength: 1024,
  maxPasswordFileBytes: 16 * 1024 * 1024,
  maxAuthorizedKeysFileBytes: 1024 * 1024,
  maxAuthorizedKeysLineLength: 32768,
  maxPublicKeyBytes: 16384,
  maxSignedDataBytes: 262144,
  minRSABits: 1024,
  maxRSABits: 16384,
});

/** `limits` over the defaults. */
export function resolveCredLimits(limits: Partial<CredLimits> = {}): Readonly<CredLimits> {
  return Object.freeze({ ...DEFAULT_CRED_LIMITS, ...limits });
}
