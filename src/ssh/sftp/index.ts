/**
 * SFTP version 3 (draft-ietf-secsh-filexfer-02, as OpenSSH speaks it, with its `@openssh.com`
 * extensions): the sans-I/O codec, {@link SFTPServer} over a confined {@link RootFilesystem} (or any
 * {@link ISFTPFilesystem}), and {@link SFTPClient}. Both are protocols over any transport: an SSH channel,
 * a process's stdio, a loopback.
 * @module
 */
export { SFTPServer, type SFTPServerOptions } from './server/server.js';
export { RootFilesystem, statsToAttrs, type RootFilesystemOptions } from './server/root-filesystem.js';
export { SFTPClient, openFlags, type SFTPClientOptions, type SFTPHandle, type SFTPOpenFlags } from './client/client.js';
export type { ISFTPFilesystem, ISFTPFile, ISFTPDirectory, Awaitable } from './interfaces.js';
export { type SFTPAttrs, readAttrs, writeAttrs, longname, modeString, isDirectory, isRegularFile, isSymbolicLink, S_IFMT, S_IFDIR, S_IFREG, S_IFLNK } from './attrs.js';
export { FXP, FX, FX_MESSAGES, FXF, FILEXFER_ATTR, SFTP_VERSION, OPENSSH_EXTENSIONS } from './constants.js';
export { SFTP_LIMITS, SFTP_CLIENT_DEFAULTS, SFTP_REQUEST_OVERHEAD, type SFTPLimits } from './limits.js';
export { SFTPStatusError, SFTPProtocolError, SFTPPacketTooLongError, SFTPLimitError, SFTPConnectionLostError } from './errors.js';
export { PacketFramer } from './framer.js';
export { PacketReader, PacketWriter } from './wire.js';
export {
  decodeHello,
  encodeHello,
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  type SFTPHello,
  type SFTPRequest,
  type SFTPResponse,
  type SFTPName,
} from './packets.js';
export { type SFTPStatVFS, type SFTPServerLimits, encodeStatVFS, decodeStatVFS, encodeServerLimits, decodeServerLimits } from './extensions.js';
