/**
 * The roles behind {@link SFTPServer}: the filesystem an authenticated user sees (Twisted's `ISFTPServer`,
 * the avatar's view), the files and directories it opens. Type-only.
 * @module
 */
import type { SFTPAttrs } from './attrs.js';
import type { SFTPStatVFS } from './extensions.js';
import type { SFTPName } from './packets.js';

/** A value or something that resolves to it: a Promise or a Deferred. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * A file opened by {@link ISFTPFilesystem.openFile}. Methods may throw (or reject with) an
 * `SFTPStatusError` to choose the status, or a Node `errno` error, mapped as OpenSSH maps errno.
 */
export interface ISFTPFile {
  /** Up to `length` bytes at `offset`; an empty array at the end of the file. */
  readChunk(offset: number, length: number): Awaitable<Uint8Array>;
  writeChunk(offset: number, data: Uint8Array): Awaitable<void>;
  getAttrs(): Awaitable<SFTPAttrs>;
  setAttrs(attrs: SFTPAttrs): Awaitable<void>;
  /** Flushes to stable storage (`fsync@openssh.com`). */
  sync?(): Awaitable<void>;
  /** The filesystem's figures (`fstatvfs@openssh.com`). */
  statVFS?(): Awaitable<SFTPStatVFS>;
  close(): Awaitable<void>;
}

/** A directory opened by {@link ISFTPFilesystem.openDirectory}, read in batches. */
export interface ISFTPDirectory {
  /** The next names, at most `max`; an empty array once every name was given. */
  next(max: number): Awaitable<SFTPName[]>;
  close(): Awaitable<void>;
}

/**
 * The filesystem an SFTP session works on. Paths are as the client sent them (absolute or relative to the
 * user's home); confining them is the implementation's business ({@link RootFilesystem} does it).
 */
export interface ISFTPFilesystem {
  /** Opens a file with SFTP `pflags` (`FXF.READ | FXF.WRITE | ...`); `attrs.permissions` is the mode of a new file. */
  openFile(path: string, pflags: number, attrs: SFTPAttrs): Awaitable<ISFTPFile>;
  openDirectory(path: string): Awaitable<ISFTPDirectory>;
  /** STAT (`followLinks` true) or LSTAT. */
  getAttrs(path: string, followLinks: boolean): Awaitable<SFTPAttrs>;
  setAttrs(path: string, attrs: SFTPAttrs): Awaitable<void>;
  removeFile(path: string): Awaitable<void>;
  /** RENAME refuses an existing `newPath` (`overwrite` false); `posix-rename@openssh.com` replaces it. */
  renameFile(oldPath: string, newPath: string, overwrite: boolean): Awaitable<void>;
  makeDirectory(path: string, attrs: SFTPAttrs): Awaitable<void>;
  removeDirectory(path: string): Awaitable<void>;
  /** The canonical absolute form of `path`, as the client should see it. */
  realPath(path: string): Awaitable<string>;
  readLink(path: string): Awaitable<string>;
  /** Creates the symbolic link `linkPath` pointing at `targetPath`. */
  makeLink(linkPath: string, targetPath: string): Awaitable<void>;
  /** `hardlink@openssh.com`: a new name `newPath` for the file `oldPath`. */
  makeHardLink?(oldPath: string, newPath: string): Awaitable<void>;
  /** `statvfs@openssh.com`. */
  statVFS?(path: string): Awaitable<SFTPStatVFS>;
  /** Any other extension; the reply body, or throw `SFTPStatusError(FX.OP_UNSUPPORTED)`. */
  extendedRequest?(request: string, data: Uint8Array): Awaitable<Uint8Array>;
}
