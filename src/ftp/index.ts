/**
 * `torsion/ftp`: FTP servers and clients (RFC 959 with FTPS, RFC 2228/4217; FEAT, RFC 2389; EPSV/EPRT,
 * RFC 2428; MLSD/MLST/SIZE/MDTM/REST, RFC 3659). Logins go through `torsion/cred`: the server asks the
 * portal for an `IFTPShell` avatar, which `FTPRealm` gives as a `FilesystemShell` confined to one folder.
 * @module
 */
export type { FileInfo, IReadFile, IWriteFile, Segments, WriteMode } from './interfaces.js';
export type { IFTPShell as FTPShell } from './interfaces.js';
export { IFTPShell } from './shell-interface.js';
export {
  FTPError,
  FTPParseError,
  FTPCommandFailed,
  FTPLineTooLong,
  FTPDataConnectionError,
  FTPTimeoutError,
  FTPLimitExceeded,
  FTPConnectionLost,
  FTPFileSystemError,
  FTPPathError,
  FTPPermissionDenied,
} from './errors.js';
export { DEFAULT_FTP_SERVER_LIMITS, DEFAULT_FTP_CLIENT_LIMITS, resolveServerLimits, resolveClientLimits, type FTPServerLimits, type FTPClientLimits } from './limits.js';
export { parseCommand, formatReply, replyText, ReplyParser, type FTPCommand, type FTPReply } from './codec.js';
export { parseHostPort, formatHostPort, parsePasvReply, parseEpsvReply, parseEprt, formatEprt, normalizeHost, type HostPort } from './address.js';
export { ToNetworkAscii, FromNetworkAscii } from './ascii.js';
export { formatListLine, formatFacts, formatTimeVal, parseTimeVal, parseMlsdLine, parseMlsd, parseListLine, parseList } from './listing.js';
export { resolvePath, formatPath, quotePath } from './paths.js';
export { DataConnection } from './data-connection.js';
export { FTPFactory, type FTPFactoryOptions } from './server/factory.js';
export { FTPServerProtocol } from './server/protocol.js';
export { FTPRealm } from './server/realm.js';
export { FilesystemShell, UPLOAD_PREFIX, type BlockingWrites, type FilesystemShellOptions } from './server/filesystem-shell.js';
export { FTPControl, type FTPClientOptions } from './client/control.js';
export { FTPClient, parsePwd, type FTPUpload } from './client/client.js';
export { FTPClientFactory, connectFTP } from './client/connect.js';
