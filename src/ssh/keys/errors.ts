/**
 * Errors of SSH keys, `known_hosts` and the agent client. Key errors extend `torsion/cred`'s
 * {@link BadKeyError}, so code that catches a bad key from either place catches both.
 * @module
 */
import { BadKeyError } from '../../cred/index.js';
import { TorsionError } from '../../errors/index.js';

/** Text that is not a key in any format read here, or a key file whose contents do not hold together. */
export class KeyFormatError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_FORMAT';
  override name = 'KeyFormatError';
}

/** A key type, cipher or key derivation this implementation does not read or write. */
export class UnsupportedKeyError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_UNSUPPORTED';
  override name = 'UnsupportedKeyError';
}

/** The private key is encrypted and no passphrase was given (Twisted's `EncryptedKeyError`). */
export class EncryptedKeyError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_ENCRYPTED';
  override name = 'EncryptedKeyError';
}

/** The passphrase does not decrypt the private key. */
export class BadPassphraseError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_BAD_PASSPHRASE';
  override name = 'BadPassphraseError';
}

/** A key file over a limit of `SSHKeyLimits` (its size, its key derivation rounds). */
export class KeyLimitError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_LIMIT';
  override name = 'KeyLimitError';
}

/** A private operation (signing, writing a private key file) asked of a key that has only its public half. */
export class PublicKeyOnlyError extends BadKeyError {
  override readonly code: string = 'TORSION_SSH_KEY_PUBLIC_ONLY';
  override name = 'PublicKeyOnlyError';
}

/** Where a host key check looked: the name as `known_hosts` writes it, and the key offered. */
interface HostKeyInit {
  /** `host` or `[host]:port`. */
  readonly hostName: string;
  /** The fingerprint of the key the host offered. */
  readonly fingerprint: string;
}

/**
 * The host is in `known_hosts` with another key of the same type: possibly a man in the middle. Never
 * accepted automatically, not even with `acceptNewHostKeys` (Twisted's `HostKeyChanged`).
 */
export class HostKeyMismatchError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_HOST_KEY_MISMATCH';
  override name = 'HostKeyMismatchError';
  readonly hostName: string;
  readonly fingerprint: string;
  /** The line of the known_hosts file holding the key expected instead, from 1 (0 when not from a file). */
  readonly line: number;
  constructor(init: HostKeyInit & { line: number; path?: string }) {
    super(`the host key of ${init.hostName} (${init.fingerprint}) is not the one known${init.path ? ` in ${init.path}` : ''}${init.line ? ` at line ${init.line}` : ''}: refusing it`);
    this.hostName = init.hostName;
    this.fingerprint = init.fingerprint;
    this.line = init.line;
  }
}

/** The host is not in `known_hosts` with a key of this type; the caller did not accept new keys. */
export class UnknownHostKeyError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_HOST_KEY_UNKNOWN';
  override name = 'UnknownHostKeyError';
  readonly hostName: string;
  readonly fingerprint: string;
  constructor(init: HostKeyInit) {
    super(`the host key of ${init.hostName} (${init.fingerprint}) is unknown: refusing it`);
    this.hostName = init.hostName;
    this.fingerprint = init.fingerprint;
  }
}

/** The key offered is marked `@revoked` in `known_hosts`. */
export class RevokedHostKeyError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_HOST_KEY_REVOKED';
  override name = 'RevokedHostKeyError';
  readonly hostName: string;
  readonly fingerprint: string;
  constructor(init: HostKeyInit) {
    super(`the host key of ${init.hostName} (${init.fingerprint}) is marked @revoked: refusing it`);
    this.hostName = init.hostName;
    this.fingerprint = init.fingerprint;
  }
}

/** The SSH agent answered SSH_AGENT_FAILURE (no such key, refused by its user, locked). */
export class AgentFailureError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_AGENT_FAILURE';
  override name = 'AgentFailureError';
}

/** The SSH agent sent something this client cannot read, or too much of it; the connection is dropped. */
export class AgentProtocolError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_AGENT_PROTOCOL';
  override name = 'AgentProtocolError';
}

/** The connection to the agent closed (or was never made) before the answer came. */
export class AgentConnectionError extends TorsionError {
  override readonly code: string = 'TORSION_SSH_AGENT_CONNECTION';
  override name = 'AgentConnectionError';
}
