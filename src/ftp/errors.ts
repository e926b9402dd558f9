/**
 * The errors of `torsion/ftp`, on the one Torsion base, each with a stable `TORSION_FTP_...` code.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The base of every FTP error. */
export class FTPError extends TorsionError {
  override readonly code: string = 'TORSION_FTP_ERROR';
  override name = 'FTPError';
}

/** A reply or listing that does not follow the protocol (client side), or a malformed argument. */
export class FTPParseError extends FTPError {
  override readonly code: string = 'TORSION_FTP_PARSE';
  override name = 'FTPParseError';
}

/** The server answered a command with a failure (4xx/5xx) or an unexpected reply; `reply` is what it said. */
export class FTPCommandFailed extends FTPError {
  override readonly code: string = 'TORSION_FTP_COMMAND_FAILED';
  override name = 'FTPCommandFailed';
  constructor(
    /** The reply code (`550`). */
    readonly replyCode: number,
    /** The reply's lines, code included. */
    readonly lines: readonly string[],
  ) {
    super(lines.join('\n'));
  }
}

/** A line longer than the limit: a command (server side) or a reply line (client side). */
export class FTPLineTooLong extends FTPError {
  override readonly code: string = 'TORSION_FTP_LINE_TOO_LONG';
  override name = 'FTPLineTooLong';
}

/** A data connection could not be opened, was refused (wrong peer), or broke before its end. */
export class FTPDataConnectionError extends FTPError {
  override readonly code: string = 'TORSION_FTP_DATA_CONNECTION';
  override name = 'FTPDataConnectionError';
}

/** A peer stayed silent too long (idle control connection, stalled data connection, missing reply). */
export class FTPTimeoutError extends FTPError {
  override readonly code: string = 'TORSION_FTP_TIMEOUT';
  override name = 'FTPTimeoutError';
}

/** A limit was passed (reply too long, listing too large, too many queued commands). */
export class FTPLimitExceeded extends FTPError {
  override readonly code: string = 'TORSION_FTP_LIMIT';
  override name = 'FTPLimitExceeded';
}

/** The control connection closed while commands were waiting for their reply. */
export class FTPConnectionLost extends FTPError {
  override readonly code: string = 'TORSION_FTP_CONNECTION_LOST';
  override name = 'FTPConnectionLost';
}

/**
 * A file-system operation a shell refused; `replyCode` is the FTP reply the server sends for it
 * (550 not found or not allowed, 553 bad name, 552 storage, 450/451 transient).
 */
export class FTPFileSystemError extends FTPError {
  override readonly code: string = 'TORSION_FTP_FILESYSTEM';
  override name = 'FTPFileSystemError';
  constructor(
    readonly replyCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A path that would leave the shell's root (`..`, a symlink pointing out) or that no file may have. */
export class FTPPathError extends FTPFileSystemError {
  override readonly code: string = 'TORSION_FTP_PATH';
  override name = 'FTPPathError';
  constructor(message: string) {
    super(553, message);
  }
}

/** A write (or delete, rename, mkdir) by a read-only login (anonymous). */
export class FTPPermissionDenied extends FTPFileSystemError {
  override readonly code: string = 'TORSION_FTP_PERMISSION_DENIED';
  override name = 'FTPPermissionDenied';
  constructor(message = 'Permission denied') {
    super(550, message);
  }
}
