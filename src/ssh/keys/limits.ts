/**
 * Every limit of SSH keys, known_hosts files and the agent client that a file or a peer can push against,
 * with its default, in one place. Functions take a `Partial<SSHKeyLimits>` and fill the rest from
 * {@link DEFAULT_SSH_KEY_LIMITS}.
 * @module
 */

/** The limits of `Key`, `KnownHostsFile` and `SSHAgentClient`. */
export interface SSHKeyLimits {
  /** Bytes of a key file (private or public) read at most (1 MiB, OpenSSH's `MAX_KEY_FILE_SIZE`). */
  maxKeyFileBytes: number;
  /**
   * bcrypt_pbkdf rounds a passphrase-protected `openssh-key-v1` file may ask for (256). The cost is linear
   * in the rounds and the file chooses them, so an unbounded count is a CPU denial of service; 16 rounds
   * (ssh-keygen's default) take about 0.2 s of one idle core, the limit about 3.5 s.
   */
  maxKdfRounds: number;
  /** Bytes of a `known_hosts` file read at most (16 MiB). */
  maxKnownHostsFileBytes: number;
  /** Characters of one `known_hosts` line; a longer one is kept as written but never matches (32768). */
  maxKnownHostsLineLength: number;
  /** Bytes of one agent message, as OpenSSH's `AGENT_MAX_LEN` (256 KiB); a longer one drops the connection. */
  maxAgentMessageBytes: number;
  /** Identities an agent may list in one answer; more is a protocol error (2048). */
  maxAgentIdentities: number;
  /** Agent requests waiting for an answer at once; more fail at once instead of queueing without end (64). */
  maxAgentPendingRequests: number;
  /** Seconds to wait for the agent's answer to one request (30; an agent may ask its user to confirm). */
  agentTimeout: number;
}

/** The defaults. */
export const DEFAULT_SSH_KEY_LIMITS: Readonly<SSHKeyLimits> = Object.freeze({
  maxKeyFileBytes: 1024 * 1024,
  maxKdfRounds: 256,
  maxKnownHostsFileBytes: 16 * 1024 * 1024,
  maxKnownHostsLineLength: 32768,
  maxAgentMessageBytes: 256 * 1024,
  maxAgentIdentities: 2048,
  maxAgentPendingRequests: 64,
  agentTimeout: 30,
});

/** `limits` over the defaults. */
export function resolveSSHKeyLimits(limits: Partial<SSHKeyLimits> = {}): Readonly<SSHKeyLimits> {
  return Object.freeze({ ...DEFAULT_SSH_KEY_LIMITS, ...limits });
}
