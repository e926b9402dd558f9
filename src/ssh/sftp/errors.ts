/**
 * Errors of SFTP, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../../errors/index.js';
import { FX, FX_MESSAGES } from './constants.js';

const STATUS_CODES: Record<number, string> = {
  [FX.EOF]: 'TORSION_SFTP_EOF',
  [FX.NO_SUCH_FILE]: 'TORSION_SFTP_NO_SUCH_FILE',
  [FX.PERMISSION_DENIED]: 'TORSION_SFTP_PERMISSION_DENIED',
  [FX.FAILURE]: 'TORSION_SFTP_FAILURE',
  [FX.BAD_MESSAGE]: 'TORSION_SFTP_BAD_MESSAGE',
  [FX.NO_CONNECTION]: 'TORSION_SFTP_NO_CONNECTION',
  [FX.CONNECTION_LOST]: 'TORSION_SFTP_CONNECTION_LOST',
  [FX.OP_UNSUPPORTED]: 'TORSION_SFTP_OP_UNSUPPORTED',
};

/**
 * A request answered with a status other than OK (Twisted's `SFTPError`): `status` is the SFTP code
 * (`FX.NO_SUCH_FILE`...), `code` its stable name (`TORSION_SFTP_NO_SUCH_FILE`). A filesystem behind
 * {@link SFTPServer} throws it to choose the status sent.
 */
export class SFTPStatusError extends TorsionError {
  override readonly code: string;
  override name = 'SFTPStatusError';
  /** The SFTP status code. */
  readonly status: number;
  /** The message as the peer wrote it. */
  readonly serverMessage: string;
  constructor(status: number, message?: string, options?: { cause?: unknown }) {
    const text = message ?? FX_MESSAGES[status] ?? `status ${status}`;
    super(text, options);
    this.status = status;
    this.serverMessage = text;
    this.code = STATUS_CODES[status] ?? 'TORSION_SFTP_STATUS';
  }
}

/** A packet that does not parse: truncated, a field past its end, an unknown type where one is required. */
export class SFTPProtocolError extends TorsionError {
  override readonly code = 'TORSION_SFTP_PROTOCOL';
  override name = 'SFTPProtocolError';
}

/** A packet announces a length over `maxPacketLength`: refused before it is buffered. */
export class SFTPPacketTooLongError extends TorsionError {
  override readonly code = 'TORSION_SFTP_PACKET_TOO_LONG';
  override name = 'SFTPPacketTooLongError';
}

/** A limit of {@link SFTPLimits} was reached on this side (too many handles, a file too big for `readFile`). */
export class SFTPLimitError extends TorsionError {
  override readonly code = 'TORSION_SFTP_LIMIT';
  override name = 'SFTPLimitError';
}

/** The connection ended while the request was outstanding, or before it was sent. */
export class SFTPConnectionLostError extends TorsionError {
  override readonly code = 'TORSION_SFTP_CONNECTION_LOST';
  override name = 'SFTPConnectionLostError';
}
