/**
 * Every limit of SSH user authentication (RFC 4252, 4256) a peer can push against, with its default.
 * The server and client take a `Partial<UserAuthLimits>` and fill the rest from {@link DEFAULT_USERAUTH_LIMITS}.
 * @module
 */

/** The limits of `ssh-userauth`. */
export interface UserAuthLimits {
  /** Failed attempts (every method but `none`) before the server disconnects, as OpenSSH's `MaxAuthTries` (6). */
  maxAuthTries: number;
  /** Seconds the server waits before answering a failed attempt; the same for unknown users (1). */
  failureDelay: number;
  /** Seconds an unauthenticated connection may stay, as OpenSSH's `LoginGraceTime` (120). */
  loginGraceTime: number;
  /** Bytes of a user name; a longer one is refused before any lookup (256). */
  maxUsernameBytes: number;
  /** Bytes of a password or keyboard-interactive answer (4096). */
  maxPasswordBytes: number;
  /** Bytes of a public key blob (16384, OpenSSH's `SSH_MAX_PUBKEY_BYTES`). */
  maxPublicKeyBytes: number;
  /** Bytes of a signature blob (8192: an RSA-16384 signature and its framing fit). */
  maxSignatureBytes: number;
  /** Requests the server holds while it answers an earlier one; more is a protocol error (8). */
  maxQueuedRequests: number;
  /** Prompts in one keyboard-interactive round, either way (16). */
  maxPrompts: number;
  /** Keyboard-interactive rounds the client answers for one request (8). */
  maxInteractiveRounds: number;
  /** Bytes of a banner or prompt text the client accepts (8192). */
  maxTextBytes: number;
}

/** The defaults. */
export const DEFAULT_USERAUTH_LIMITS: Readonly<UserAuthLimits> = Object.freeze({
  maxAuthTries: 6,
  failureDelay: 1,
  loginGraceTime: 120,
  maxUsernameBytes: 256,
  maxPasswordBytes: 4096,
  maxPublicKeyBytes: 16384,
  maxSignatureBytes: 8192,
  maxQueuedRequests: 8,
  maxPrompts: 16,
  maxInteractiveRounds: 8,
  maxTextBytes: 8192,
});

/** `limits` over the defaults. */
export function resolveUserAuthLimits(limits: Partial<UserAuthLimits> = {}): Readonly<UserAuthLimits> {
  return Object.freeze({ ...DEFAULT_USERAUTH_LIMITS, ...limits });
}
