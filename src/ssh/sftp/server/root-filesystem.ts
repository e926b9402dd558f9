/**
 * The default filesystem of {@link SFTPServer}: one directory on the host is the whole world of a session.
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, open, opendir, readlink, realpath, rename, rmdir, stat, statfs, symlink, truncate, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SFTPAttrs } from '../attrs.js';
import { longname } from '../attrs.js';
import { FX, FXF } from '../constants.js';
import { SFTPStatusError } from '../errors.js';
import type { SFTPStatVFS } from '../extensions.js';
import type { ISFTPDirectory, ISFTPFile, ISFTPFilesystem } from '../interfaces.js';
import { SFTP_LIMITS } from '../limits.js';
import type { SFTPName } from '../packets.js';
import { isInside, lexicalPath, resolveInRoot, type ConfinedPath } from './confine.js';

/** Options of {@link RootFilesystem}. */
export interface RootFilesystemOptions {
  /** Seconds since the epoch, for the date column of long names (default: the system clock). */
  now?: () => number;
  /** Links followed while resolving one path (default `SFTP_LIMITS.maxSymlinkFollows`). */
  maxSymlinkFollows?: number;
  /** The longest path resolved (default `SFTP_LIMITS.maxPathLength`); longer is BAD_MESSAGE. */
  maxPathLength?: number;
  /**
   * Allow SETSTAT's uid/gid (chown). Off by default: a server running as root would otherwise let a user
   * hand a file to any owner. Refused with PERMISSION_DENIED.
   */
  allowChown?: boolean;
  /** Keep the setuid and setgid bits of modes the client sets (default false: they are cleared). */
  allowSetuid?: boolean;
}

/** `Stats` as SFTP attributes (whole seconds). */
export function statsToAttrs(st: Stats): SFTPAttrs {
  return {
    size: st.size,
    uid: st.uid,
    gid: st.gid,
    permissions: st.mode,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

function openFlags(pflags: number): number {
  let flags = 0;
  if (pflags & FXF.READ && pflags & FXF.WRITE) flags = constants.O_RDWR;
  else if (pflags & FXF.WRITE) flags = constants.O_WRONLY;
  else flags = constants.O_RDONLY;
  if (pflags & FXF.APPEND) flags |= constants.O_APPEND;
  if (pflags & FXF.CREAT) flags |= constants.O_CREAT;
  if (pflags & FXF.TRUNC) flags |= constants.O_TRUNC;
  if (pflags & FXF.EXCL) flags |= constants.O_EXCL;
  return flags;
}

function denied(why: string): SFTPStatusError {
  return new SFTPStatusError(FX.PERMISSION_DENIED, `Permission denied: ${why}`);
}

async function statVFSOf(real: string): Promise<SFTPStatVFS> {
  const s = await statfs(real);
  return { bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0n, flag: 0, namemax: 255 };
}

class RootFile implements ISFTPFile {
  constructor(
    readonly fh: FileHandle,
    readonly real: string,
    readonly fs: RootFilesystem,
  ) {}

  async readChunk(offset: number, length: number): Promise<Uint8Array> {
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  }

  async writeChunk(offset: number, data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) done += (await this.fh.write(data, done, data.length - done, offset + done)).bytesWritten;
  }

  async getAttrs(): Promise<SFTPAttrs> {
    return statsToAttrs(await this.fh.stat());
  }

  async setAttrs(attrs: SFTPAttrs): Promise<void> {
    this.fs.checkAttrs(attrs);
    if (attrs.size !== undefined) await this.fh.truncate(attrs.size);
    if (attrs.permissions !== undefined) await this.fh.chmod(this.fs.mode(attrs.permissions));
    if (attrs.uid !== undefined && attrs.gid !== undefined) await this.fh.chown(attrs.uid, attrs.gid);
    if (attrs.atime !== undefined && attrs.mtime !== undefined) await this.fh.utimes(attrs.atime, attrs.mtime);
  }

  async sync(): Promise<void> {
    await this.fh.sync();
  }

  statVFS(): Promise<SFTPStatVFS> {
    return statVFSOf(this.real);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

class RootDirectory implements ISFTPDirectory {
  constructor(
    readonly dir: Awaited<ReturnType<typeof opendir>>,
    readonly real: string,
    readonly now: () => number,
  ) {}

  async next(max: number): Promise<SFTPName[]> {
    const out: SFTPName[] = [];
    while (out.length < max) {
      const entry = await this.dir.read();
      if (entry === null) break;
      let st: Stats;
      try {
        st = await lstat(join(this.real, entry.name));
      } catch {
        continue; // removed since it was listed
      }
      const attrs = statsToAttrs(st);
      out.push({ filename: entry.name, longname: longname(entry.name, attrs, this.now(), st.nlink), attrs });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.dir.close();
  }
}

/**
 * A filesystem confined to `root`, which the client sees as `/` (and as its home, so relative paths start
 * there). Nothing outside the root can be named:
 *  - `..` stops at the root, and absolute paths start from it;
 *  - symbolic links are resolved by this class inside the root, as under `chroot`: an absolute target
 *    starts at the root, `..` in a target stops there. A link pointing outside therefore names a file
 *    inside (usually one that does not exist), never the host's;
 *  - files are opened with `O_NOFOLLOW` after that resolution, and on Linux the opened descriptor is
 *    checked again (`/proc/self/fd`) to be under the root, which defeats a local process swapping a
 *    directory for a link mid-request;
 *  - SYMLINK creates only relative links made of `../` steps that stay inside the root followed by plain
 *    names; absolute targets and targets climbing out are PERMISSION_DENIED, so that a program on the
 *    host (which does not resolve links the way this class does) cannot be led out by them either;
 *  - removing or renaming the root itself is PERMISSION_DENIED.
 * Path operations other than OPEN (stat, remove, rename, mkdir) are checked before they act: a local
 * process racing them inside the root is outside what this guards.
 */
export class RootFilesystem implements ISFTPFilesystem {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;
  readonly #now: () => number;
  readonly #maxFollows: number;
  readonly #maxPathLength: number;
  readonly #allowChown: boolean;
  readonly #allowSetuid: boolean;

  /** @param root the directory the session is confined to (it must exist) */
  constructor(root: string, options: RootFilesystemOptions = {}) {
    this.#root = root;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#maxFollows = options.maxSymlinkFollows ?? SFTP_LIMITS.maxSymlinkFollows;
    this.#maxPathLength = options.maxPathLength ?? SFTP_LIMITS.maxPathLength;
    this.#allowChown = options.allowChown ?? false;
    this.#allowSetuid = options.allowSetuid ?? false;
  }

  /** The root as the host names it, links resolved. */
  realRoot(): Promise<string> {
    this.#realRoot ??= realpath(this.#root);
    return this.#realRoot;
  }

  /** Resolves a client path inside the root. */
  async resolve(path: string, followFinal: boolean): Promise<ConfinedPath> {
    if (path.length > this.#maxPathLength) throw new SFTPStatusError(FX.BAD_MESSAGE, 'File name too long');
    return resolveInRoot(await this.realRoot(), path, followFinal, this.#maxFollows);
  }

  /** @internal refuses what the options forbid in SETSTAT/FSETSTAT. */
  checkAttrs(attrs: SFTPAttrs): void {
    if ((attrs.uid !== undefined || attrs.gid !== undefined) && !this.#allowChown) throw denied('changing owners is not allowed');
  }

  /** @internal the mode actually set for a requested one. */
  mode(permissions: number): number {
    return permissions & (this.#allowSetuid ? 0o7777 : 0o1777);
  }

  async openFile(path: string, pflags: number, attrs: SFTPAttrs): Promise<ISFTPFile> {
    const p = await this.resolve(path, true);
    const mode = attrs.permissions !== undefined ? this.mode(attrs.permissions) : 0o666;
    const fh = await open(p.real, openFlags(pflags) | constants.O_NOFOLLOW, mode);
    try {
      await this.#checkDescriptor(fh.fd);
    } catch (e) {
      await fh.close();
      throw e;
    }
    return new RootFile(fh, p.real, this);
  }

  async #checkDescriptor(fd: number): Promise<void> {
    let where: string;
    try {
      where = await readlink(`/proc/self/fd/${fd}`);
    } catch {
      return; // no /proc (not Linux): the resolution above is the guard
    }
    if (!isInside(await this.realRoot(), where)) throw denied('the path left the root while it was opened');
  }

  async openDirectory(path: string): Promise<ISFTPDirectory> {
    const p = await this.resolve(path, true);
    return new RootDirectory(await opendir(p.real), p.real, this.#now);
  }

  async getAttrs(path: string, followLinks: boolean): Promise<SFTPAttrs> {
    const p = await this.resolve(path, followLinks);
    return statsToAttrs(await (followLinks ? stat : lstat)(p.real));
  }

  async setAttrs(path: string, attrs: SFTPAttrs): Promise<void> {
    this.checkAttrs(attrs);
    const { real } = await this.resolve(path, true);
    if (attrs.size !== undefined) await truncate(real, attrs.size);
    if (attrs.permissions !== undefined) await chmod(real, this.mode(attrs.permissions));
    if (attrs.uid !== undefined && attrs.gid !== undefined) await chown(real, attrs.uid, attrs.gid);
    if (attrs.atime !== undefined && attrs.mtime !== undefined) await utimes(real, attrs.atime, attrs.mtime);
  }

  async #notRoot(path: string): Promise<ConfinedPath> {
    const p = await this.resolve(path, false);
    if (p.virtual === '/') throw denied('the root cannot be removed or renamed');
    return p;
  }

  async removeFile(path: string): Promise<void> {
    await unlink((await this.#notRoot(path)).real);
  }

  async renameFile(oldPath: string, newPath: string, overwrite: boolean): Promise<void> {
    const from = await this.#notRoot(oldPath);
    const to = await this.#notRoot(newPath);
    if (!overwrite) {
      const exists = await lstat(to.real).then(() => true, () => false);
      if (exists) throw new SFTPStatusError(FX.FAILURE);
    }
    await rename(from.real, to.real);
  }

  async makeDirectory(path: string, attrs: SFTPAttrs): Promise<void> {
    const { real } = await this.resolve(path, false);
    await mkdir(real, attrs.permissions !== undefined ? this.mode(attrs.permissions) & 0o1777 : 0o777);
  }

  async removeDirectory(path: string): Promise<void> {
    await rmdir((await this.#notRoot(path)).real);
  }

  async realPath(path: string): Promise<string> {
    const p = await this.resolve(path, true);
    await lstat(p.real);
    return p.virtual;
  }

  async readLink(path: string): Promise<string> {
    return readlink((await this.resolve(path, false)).real);
  }

  async makeLink(linkPath: string, targetPath: string): Promise<void> {
    const link = await this.#notRoot(linkPath);
    if (targetPath.startsWith('/')) throw denied('links may only be relative');
    const dir = link.virtual.slice(0, link.virtual.length - basename(link.virtual).length);
    // Only `../` steps first, then plain names: a `..` after a name could climb out of a directory that
    // is itself a link (`s -> .` then `s/../x`) when a program on the host follows the link.
    let up = lexicalPath(dir).length;
    let named = false;
    for (const c of targetPath.split('/')) {
      if (c === '..') {
        if (named || --up < 0) throw denied('the link would point outside the root');
      } else if (c !== '' && c !== '.') named = true;
    }
    await symlink(targetPath, link.real);
  }

  async makeHardLink(oldPath: string, newPath: string): Promise<void> {
    const from = await this.resolve(oldPath, false);
    const to = await this.#notRoot(newPath);
    await link(from.real, to.real);
  }

  async statVFS(path: string): Promise<SFTPStatVFS> {
    return statVFSOf((await this.resolve(path, true)).real);
  }
}
