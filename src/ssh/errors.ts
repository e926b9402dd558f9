/**
 * Errors of `torsion/ssh`, on the one base with stable `TORSION_SSH_...` codes. The transport layer's are
 * here; each layer adds its own beside them.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The base of SSH errors. */
export class SSHError extends TorsionError {
  override readonly code: string = 'TORSION_SSH';
  override name = 'SSHError';
}

/**
 * The peer broke the protocol: a malformed or unexpected message, bad padding, a message out of place
 * during key exchange. The connection is closed with `SSH_DISCONNECT_PROTOCOL_ERROR`.
 */
export class SSHProtocolError extends SSHError {
  override readonly code: string = 'TORSION_SSH_PROTOCOL';
  override name = 'SSHProtocolError';
}

/** A packet's length field is over the limit (`maxPacketLength`): the connection closes before reading it. */
export class SSHPacketTooLargeError extends SSHProtocolError {
  override readonly code = 'TORSION_SSH_PACKET_TOO_LARGE';
  override name = 'SSHPacketTooLargeError';
}

/** A compressed packet (`zlib@openssh.com`) does not inflate, or inflates past `maxPayloadLength`. */
export class SSHCompressionError extends SSHProtocolError {
  override readonly code = 'TORSION_SSH_COMPRESSION';
  override name = 'SSHCompressionError';
}

/** A packet failed its integrity check (MAC or AEAD tag): it was altered, or the keys differ. */
export class SSHMacError extends SSHError {
  override readonly code = 'TORSION_SSH_MAC';
  override name = 'SSHMacError';
}

/** The version exchange failed: not an SSH 2.0 peer, an over-long or non-ASCII line, too many banner lines. */
export class SSHVersionError extends SSHError {
  override readonly code = 'TORSION_SSH_VERSION';
  override name = 'SSHVersionError';
}

/** Key exchange failed: no algorithm in common, a bad public value, or a host key signature that does not verify. */
export class SSHKexError extends SSHError {
  override readonly code = 'TORSION_SSH_KEX';
  override name = 'SSHKexError';
}

/** The client refused the server's host key (unknown or changed). */
export class SSHHostKeyRejectedError extends SSHError {
  override readonly code = 'TORSION_SSH_HOST_KEY_REJECTED';
  override name = 'SSHHostKeyRejectedError';
}

/** The version exchange or a key exchange took longer than its limit. */
export class SSHTimeoutError extends SSHError {
  override readonly code = 'TORSION_SSH_TIMEOUT';
  override name = 'SSHTimeoutError';
}

/** The server does not offer the service asked for (`SSH_DISCONNECT_SERVICE_NOT_AVAILABLE`). */
export class SSHServiceNotAvailableError extends SSHError {
  override readonly code = 'TORSION_SSH_SERVICE_NOT_AVAILABLE';
  override name = 'SSHServiceNotAvailableError';
}

/** A local limit was reached (queued bytes during re-key, buffered input): the connection is closed. */
export class SSHLimitError extends SSHError {
  override readonly code = 'TORSION_SSH_LIMIT';
  override name = 'SSHLimitError';
}

/** The connection was closed by SSH_MSG_DISCONNECT, from the peer or from this side. */
export class SSHDisconnectError extends SSHError {
  override readonly code = 'TORSION_SSH_DISCONNECTED';
  override name = 'SSHDisconnectError';
  constructor(
    /** The reason code (RFC 4250 §4.2.2). */
    readonly reasonCode: number,
    /** The description sent with it. */
    readonly description: string,
    /** True if the peer sent it; false if this side did. */
    readonly byPeer: boolean,
  ) {
    super(`${byPeer ? 'peer disconnected' : 'disconnected'} (reason ${reasonCode}): ${description}`);
  }
}
