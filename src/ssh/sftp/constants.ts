/**
 * The numbers of SFTP version 3 (draft-ietf-secsh-filexfer-02) and of OpenSSH's extensions to it.
 * @module
 */

/** The protocol version spoken: 3, as OpenSSH. */
export const SFTP_VERSION = 3;

/** Packet types. */
export const FXP = Object.freeze({
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const);

/** Status codes of SSH_FXP_STATUS. */
export const FX = Object.freeze({
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const);

/** The message OpenSSH's sftp-server sends with each status code. */
export const FX_MESSAGES: readonly string[] = Object.freeze([
  'Success',
  'End of file',
  'No such file',
  'Permission denied',
  'Failure',
  'Bad message',
  'No connection',
  'Connection lost',
  'Operation unsupported',
]);

/** Flags of SSH_FXP_OPEN (`pflags`). */
export const FXF = Object.freeze({
  READ: 0x01,
  WRITE: 0x02,
  APPEND: 0x04,
  CREAT: 0x08,
  TRUNC: 0x10,
  EXCL: 0x20,
} as const);

/** Which fields an ATTRS structure holds. */
export const FILEXFER_ATTR = Object.freeze({
  SIZE: 0x01,
  UIDGID: 0x02,
  PERMISSIONS: 0x04,
  ACMODTIME: 0x08,
  EXTENDED: 0x80000000,
} as const);

/** OpenSSH's extensions, as the server announces them in VERSION (name to version string). */
export const OPENSSH_EXTENSIONS: ReadonlyArray<readonly [string, string]> = Object.freeze([
  ['posix-rename@openssh.com', '1'],
  ['statvfs@openssh.com', '2'],
  ['fstatvfs@openssh.com', '2'],
  ['hardlink@openssh.com', '1'],
  ['fsync@openssh.com', '1'],
  ['limits@openssh.com', '1'],
] as const);
