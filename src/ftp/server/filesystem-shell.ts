/**
 * `FilesystemShell`: an `IFTPShell` over a real folder (Twisted's `FTPShell`), confined to its root.
 *
 * Confinement works at two levels. Paths arrive as segments that cannot climb above the root (see
 * `paths.ts`). Symbolic links are then resolved with `realpath` before anything is opened, listed or
 * created, and whatever resolves outside the root's own real path is refused: a link to `/etc` inside the
 * root leads nowhere.
 * @module
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join, sep } from 'node:path';
import { realpathSync, writeSync } from 'node:fs';
import { Deferred } from '../../defer/index.js';
import { FTPFileSystemError, FTPPathError, FTPPermissionDenied } from '../errors.js';
import type { FileInfo, IFTPShell, IReadFile, IWriteFile, Segments, WriteMode } from '../interfaces.js';
import { FileReader } from './file-reader.js';

/** Uploads in progress live under names starting with this, beside their target, hidden from listings. */
export const UPLOAD_PREFIX = '.torsion-upload-';

/** Options of a {@link FilesystemShell}. */
export interface FilesystemShellOptions {
  /** Refuse every change (uploads, deletes, renames, folders): anonymous logins. */
  readOnly?: boolean;
  /** The blocking write of uploads and the clock that times it (see {@link TempFileWriter}); tests replace them. */
  blockingWrites?: BlockingWrites;
}

function fromPromise<T>(make: () => Promise<T>): Deferred<T> {
  return Deferred.fromPromise(make().catch((e: unknown) => Promise.reject(toFTPError(e))));
}

/** A file-system error as the reply it becomes; anything unexpected is a local error (451). */
function toFTPError(e: unknown): unknown {
  if (e instanceof FTPFileSystemError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new FTPFileSystemError(550, 'No such file or directory');
    case 'EACCES':
    case 'EPERM':
      return new FTPFileSystemError(550, 'Permission denied');
    case 'EEXIST':
      return new FTPFileSystemError(550, 'File exists');
    case 'ENOTEMPTY':
      return new FTPFileSystemError(550, 'Directory not empty');
    case 'EISDIR':
      return new FTPFileSystemError(550, 'Is a directory');
    case 'ENAMETOOLONG':
      return new FTPFileSystemError(553, 'File name too long');
    case 'ENOSPC':
    case 'EDQUOT':
      return new FTPFileSystemError(552, 'No space left');
    default:
      return new FTPFileSystemError(451, 'Local error in processing');
  }
}

function infoOf(name: string, st: import('node:fs').Stats): FileInfo {
  const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other';
  return { name, type, size: type === 'file' ? st.size : 0, modified: Math.floor(st.mtimeMs / 1000), mode: st.mode & 0o777 };
}

/**
 * A folder as an FTP login sees it.
 *
 * @example
 * const shell = new FilesystemShell('/srv/ftp', { readOnly: true });
 */
export class FilesystemShell implements IFTPShell {
  readonly readOnly: boolean;
  readonly #blockingWrites: BlockingWrites | undefined;
  /** The root's real path (symlinks resolved), against which everything is checked. */
  readonly root: string;

  constructor(root: string, options: FilesystemShellOptions = {}) {
    this.root = realpathSync(root);
    this.readOnly = options.readOnly ?? false;
    this.#blockingWrites = options.blockingWrites;
  }

  #path(path: Segments): string {
    for (const s of path) if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) throw new FTPPathError(`bad path segment ${JSON.stringify(s)}`);
    return join(this.root, ...path);
  }

  #inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  /** The real path of an existing `path`, refused when a link leads it out of the root. */
  async #existing(path: Segments): Promise<string> {
    const real = await fs.realpath(this.#path(path));
    if (!this.#inside(real)) throw new FTPFileSystemError(550, 'Permission denied');
    return real;
  }

  /** The real path `path` would be created at: its folder resolved and confined, its own name kept. */
  async #creatable(path: Segments): Promise<string> {
    if (path.length === 0) throw new FTPFileSystemError(550, 'Permission denied');
    const parent = await this.#existing(path.slice(0, -1));
    const name = path[path.length - 1];
    if (name.startsWith(UPLOAD_PREFIX)) throw new FTPPathError('that name is reserved for uploads in progress');
    return join(parent, name);
  }

  #writable(): void {
    if (this.readOnly) throw new FTPPermissionDenied();
  }

  stat(path: Segments): Deferred<FileInfo> {
    return fromPromise(async () => infoOf(path[path.length - 1] ?? '/', await fs.stat(await this.#existing(path))));
  }

  list(path: Segments): Deferred<FileInfo[]> {
    return fromPromise(async () => {
      const real = await this.#existing(path);
      const st = await fs.stat(real);
      if (!st.isDirectory()) return [infoOf(path[path.length - 1], st)];
      const out: FileInfo[] = [];
      for (const entry of await fs.readdir(real, { withFileTypes: true })) {
        if (entry.name.startsWith(UPLOAD_PREFIX)) continue;
        const full = join(real, entry.name);
        try {
          if (entry.isSymbolicLink()) {
            // A link is listed as what it points to, and only when that is inside the root.
            if (!this.#inside(await fs.realpath(full))) continue;
            out.push(infoOf(entry.name, await fs.stat(full)));
          } else out.push(infoOf(entry.name, await fs.lstat(full)));
        } catch {
          // Gone since readdir, or a dangling link: not listed.
        }
      }
      return out;
    });
  }

  openForReading(path: Segments): Deferred<IReadFile> {
    return fromPromise(async () => {
      const handle = await fs.open(await this.#existing(path), 'r');
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        throw new FTPFileSystemError(550, 'Not a plain file');
      }
      return new FileReader(handle, st.size);
    });
  }

  openForWriting(path: Segments, mode: WriteMode = {}): Deferred<IWriteFile> {
    return fromPromise(async () => {
      this.#writable();
      const target = await this.#creatable(path);
      let existing: import('node:fs').Stats | null = null;
      try {
        existing = await fs.stat(target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (existing !== null && !existing.isFile()) throw new FTPFileSystemError(550, 'Not a plain file');
      const offset = mode.append ? (existing?.size ?? 0) : (mode.offset ?? 0);
      if (offset > (existing?.size ?? 0)) throw new FTPFileSystemError(554, 'Restart offset beyond the end of the file');
      const temp = join(target, '..', UPLOAD_PREFIX + randomBytes(8).toString('hex'));
      // Appending and resuming start from a copy, so the target keeps its content until the upload is complete.
      if (offset > 0) {
        await fs.copyFile(target, temp);
        await fs.truncate(temp, offset);
      }
      const handle = await fs.open(temp, offset > 0 ? 'r+' : 'wx', existing?.mode ?? 0o644);
      return new TempFileWriter(handle, temp, target, offset, this.#blockingWrites);
    });
  }

  uniqueName(folder: Segments, hint: string): Deferred<string> {
    return fromPromise(async () => {
      const real = await this.#existing(folder);
      const base = hint.replace(/[/\\\0]/g, '_') || 'file';
      for (let i = 0; i < 1000; i++) {
        const name = i === 0 ? base : `${base}.${i}`;
        try {
          await fs.lstat(join(real, name));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return name;
          throw e;
        }
      }
      throw new FTPFileSystemError(553, 'No unique name found');
    });
  }

  makeDirectory(path: Segments): Deferred<void> {
    return fromPromise(async () => {
      this.#writable();
      await fs.mkdir(await this.#creatable(path));
    });
  }

  removeDirectory(path: Segments): Deferred<void> {
    return fromPromise(async () => {
      this.#writable();
      if (path.length === 0) throw new FTPFileSystemError(550, 'Permission denied');
      // rmdir on the name itself: a link to a folder is not a folder to remove.
      await fs.rmdir(await this.#creatable(path));
    });
  }

  removeFile(path: Segments): Deferred<void> {
    return fromPromise(async () => {
      this.#writable();
      const p = await this.#creatable(path);
      if ((await fs.lstat(p)).isDirectory()) throw new FTPFileSystemError(550, 'Is a directory');
      await fs.unlink(p);
    });
  }

  rename(from: Segments, to: Segments): Deferred<void> {
    return fromPromise(async () => {
      this.#writable();
      const source = await this.#creatable(from);
      await fs.lstat(source);
      await fs.rename(source, await this.#creatable(to));
    });
  }
}

/**
 * The most bytes gathered into one write. Small enough that the chunks are still in the CPU's cache when
 * written, and that few of them are alive when the garbage collector runs (see {@link TempFileWriter}).
 */
const WRITE_BATCH = 256 * 1024;
/** The most chunks gathered into one write (the system's IOV_MAX is at least 1024). */
const WRITE_BUFFERS = 1024;

/**
 * Seconds one blocking write (`writeNow`) may take before the rest of the upload goes to the thread pool
 * instead. A write the page cache absorbs takes well under a millisecond; a slower one means the kernel is
 * holding writers back for the disk, and the event loop, which serves every other connection, must not wait.
 * (On a busy machine a write the scheduler interrupted trips it too; that upload then just costs more CPU.)
 */
export const BLOCKING_WRITE_LIMIT = 0.05;

/** The blocking side of a {@link TempFileWriter}: the system call and a clock in seconds (tests replace them). */
export interface BlockingWrites {
  writeSync(fd: number, data: Uint8Array, offset: number, length: number, position: number): number;
  now(): number;
}

/** The real ones: a positioned `write(2)`, and a monotonic clock to time it. */
const SYSTEM_WRITES: BlockingWrites = {
  writeSync: (fd, data, offset, length, position) => writeSync(fd, data, offset, length, position),
  now: () => performance.now() / 1000,
};

/**
 * An upload into a temporary file, renamed over its target by `finish`.
 *
 * `writeNow` writes before it returns, for an upload read into one reused buffer: no buffer is allocated,
 * held or handed to another thread per read, which costs a fraction of the queued path below. It gives way
 * (returns false) while queued writes are pending, and for the rest of the upload once one write took
 * longer than {@link BLOCKING_WRITE_LIMIT}: an upload holds the event loop longer than that once at most.
 *
 * `write` queues: one write runs at a time (on
 * libuv's thread pool); chunks that arrive meanwhile are gathered into the next `writev`, without being
 * copied into one buffer. Several positioned writes at once were slower, not faster: they queue on the
 * file's lock in the kernel anyway, and the chunks they hold longer outlive young-generation collections,
 * so their 64 KiB buffers were promoted and freed only by full collections (dozens per upload in a
 * `--trace-gc` profile) and fresh memory was faulted in for every read.
 * @internal exported for its tests
 */
export class TempFileWriter implements IWriteFile {
  #done = false;
  #queue: Array<{ data: Uint8Array; written: Deferred<void> }> = [];
  #running = false;
  #error: unknown = null;
  #drained: Array<() => void> = [];
  /** A blocking write took longer than {@link BLOCKING_WRITE_LIMIT}: `writeNow` declines from then on. */
  #slow = false;

  constructor(
    readonly handle: Pick<fs.FileHandle, 'fd' | 'write' | 'writev' | 'close'>,
    readonly temp: string,
    readonly target: string,
    private position: number,
    readonly blocking: BlockingWrites = SYSTEM_WRITES,
  ) {}

  writeNow(data: Uint8Array): boolean {
    if (this.#slow || this.#running || this.#queue.length > 0) return false;
    if (this.#error !== null) return true;
    const started = this.blocking.now();
    try {
      for (let done = 0; done < data.length; ) {
        const n = this.blocking.writeSync(this.handle.fd, data, done, data.length - done, this.position);
        done += n;
        this.position += n;
      }
    } catch (e) {
      this.#error = toFTPError(e);
    }
    if (this.blocking.now() - started > BLOCKING_WRITE_LIMIT) this.#slow = true;
    return true;
  }

  write(data: Uint8Array): Deferred<void> {
    const written = new Deferred<void>();
    if (this.#error !== null) written.errback(this.#error);
    else {
      this.#queue.push({ data, written });
      this.#next();
    }
    return written;
  }

  #next(): void {
    if (this.#running || this.#queue.length === 0) return;
    let size = 0;
    let count = 0;
    while (count < this.#queue.length && count < WRITE_BUFFERS && (count === 0 || size + this.#queue[count].data.length <= WRITE_BATCH)) size += this.#queue[count++].data.length;
    const batch = this.#queue.splice(0, count);
    const at = this.position;
    this.position += size;
    this.#running = true;
    this.#writeAt(
      batch.map((b) => b.data),
      at,
    ).then(
      () => {
        for (const b of batch) b.written.callback(undefined);
      },
      (e: unknown) => {
        this.#error ??= toFTPError(e);
        for (const b of [...batch, ...this.#queue.splice(0)]) b.written.errback(this.#error);
      },
    ).finally(() => {
      this.#running = false;
      this.#next();
      if (!this.#running && this.#queue.length === 0) for (const fn of this.#drained.splice(0)) fn();
    });
  }

  async #writeAt(chunks: Uint8Array[], at: number): Promise<void> {
    let pending = chunks;
    let position = at;
    while (pending.length > 0) {
      const { bytesWritten } = pending.length === 1 ? await this.handle.write(pending[0]!, 0, pending[0]!.length, position) : await this.handle.writev(pending, position);
      position += bytesWritten;
      // A short write (rare on a file) leaves the rest, the first chunk cut where it stopped.
      let skip = bytesWritten;
      const rest: Uint8Array[] = [];
      for (const c of pending) {
        if (skip >= c.length) skip -= c.length;
        else {
          rest.push(skip > 0 ? c.subarray(skip) : c);
          skip = 0;
        }
      }
      pending = rest;
    }
  }

  /** Resolves once no write is queued or running; rejects with the first write error. */
  #settled(): Promise<void> {
    const check = (): void => {
      if (this.#error !== null) throw this.#error;
    };
    if (!this.#running && this.#queue.length === 0) return Promise.resolve().then(check);
    return new Promise<void>((resolve) => this.#drained.push(resolve)).then(check);
  }

  finish(): Deferred<void> {
    return fromPromise(async () => {
      if (this.#done) return;
      this.#done = true;
      try {
        await this.#settled();
      } catch (e) {
        await this.handle.close().catch(() => undefined);
        await fs.unlink(this.temp).catch(() => undefined);
        throw e;
      }
      await this.handle.close();
      await fs.rename(this.temp, this.target);
    });
  }

  abort(): Deferred<void> {
    return fromPromise(async () => {
      if (this.#done) return;
      this.#done = true;
      await this.#settled().catch(() => undefined);
      await this.handle.close().catch(() => undefined);
      await fs.unlink(this.temp).catch(() => undefined);
    });
  }
}

