/**
 * Turning what a filesystem threw into the status OpenSSH's sftp-server would send (its `errno_to_portable`).
 * @module
 */
import { FX, FX_MESSAGES } from '../constants.js';
import { SFTPProtocolError, SFTPStatusError } from '../errors.js';

const ERRNO_STATUS: Record<string, number> = {
  ENOENT: FX.NO_SUCH_FILE,
  ENOTDIR: FX.NO_SUCH_FILE,
  EBADF: FX.NO_SUCH_FILE,
  ELOOP: FX.NO_SUCH_FILE,
  EPERM: FX.PERMISSION_DENIED,
  EACCES: FX.PERMISSION_DENIED,
  EFAULT: FX.PERMISSION_DENIED,
  ENAMETOOLONG: FX.BAD_MESSAGE,
  EINVAL: FX.BAD_MESSAGE,
  ENOSYS: FX.OP_UNSUPPORTED,
};

/** The status and message for an error: its own for `SFTPStatusError`, OpenSSH's mapping for an errno. */
export function statusOf(e: unknown): { status: number; message: string; expected: boolean } {
  if (e instanceof SFTPStatusError) return { status: e.status, message: e.serverMessage, expected: true };
  if (e instanceof SFTPProtocolError) return { status: FX.BAD_MESSAGE, message: FX_MESSAGES[FX.BAD_MESSAGE]!, expected: true };
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const status = ERRNO_STATUS[code] ?? FX.FAILURE;
    return { status, message: FX_MESSAGES[status]!, expected: true };
  }
  return { status: FX.FAILURE, message: FX_MESSAGES[FX.FAILURE]!, expected: false };
}
