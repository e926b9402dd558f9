/**
 * The roles of `torsion/ftp`. Type-only apart from the avatar token `IFTPShell`, which lives in `shell-interface.ts`.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { IConsumer } from '../internet/interfaces.js';

/** What a listing says about one file. */
export interface FileInfo {
  /** The name inside its folder. */
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  /** Bytes (files); 0 where unknown. */
  readonly size: number;
  /** Last modification, in seconds since the epoch. */
  readonly modified: number;
  /** Unix permission bits (`0o644`), where known. */
  readonly mode?: number;
  /** Owner and group names where known (Unix `LIST`). */
  readonly owner?: string;
  readonly group?: string;
  /** For a symbolic link in a `LIST`, where it points. */
  readonly target?: string;
  /** Every MLSD fact as sent, names lower-cased (client side). */
  readonly facts?: Readonly<Record<string, string>>;
}

/** A path inside a shell: its segments below the root (`[]` is the root). */
export type Segments = readonly string[];

/** A file opened for reading by `RETR`. */
export interface IReadFile {
  /** Its size in bytes. */
  readonly size: number;
  /**
   * Writes the file from `offset` into `consumer`, with backpressure (the consumer pauses the reading);
   * fires once all was written, fails if reading failed or the consumer stopped it.
   */
  send(consumer: IConsumer, offset: number): Deferred<void>;
  /** Stops sending and closes the file. */
  close(): void;
}

/**
 * A file being uploaded by `STOR`, `APPE` or `STOU`: bytes go to a temporary name beside the target, and
 * `finish` renames them into place. Until then the target keeps its old content; `abort` throws the
 * temporary away.
 */
export interface IWriteFile {
  /** Appends bytes; fires once they are on disk (the caller waits before sending more: backpressure). */
  write(data: Uint8Array): Deferred<void>;
  /**
   * Optional: writes `data` before returning (a blocking write, as vsftpd's), for a caller that lends a
   * buffer it reuses at once. False, with nothing written, when the file would rather not now (writes
   * queued, or the disk slow): the caller then copies `data` and uses `write`. A write error is kept for
   * `finish` to report, as `write`'s are.
   */
  writeNow?(data: Uint8Array): boolean;
  /** Puts the upload under its final name. */
  finish(): Deferred<void>;
  /** Drops the upload; the target is left as it was. */
  abort(): Deferred<void>;
}

/** How an upload writes: whole (`STOR`), at an offset (`REST` then `STOR`), or at the end (`APPE`). */
export interface WriteMode {
  readonly append?: boolean;
  readonly offset?: number;
}

/**
 * What one FTP login may do with files (Twisted's `IFTPShell`). Paths are segments already resolved
 * against the working folder and checked not to climb above the root. Every failure is an
 * `FTPFileSystemError` carrying the reply code to send.
 */
export interface IFTPShell {
  /** True for a login that may not change anything (anonymous). */
  readonly readOnly: boolean;
  stat(path: Segments): Deferred<FileInfo>;
  /** The entries of a folder (or the one entry of a file). */
  list(path: Segments): Deferred<FileInfo[]>;
  openForReading(path: Segments): Deferred<IReadFile>;
  openForWriting(path: Segments, mode?: WriteMode): Deferred<IWriteFile>;
  /** A name for `STOU` inside `folder` that no file has yet. */
  uniqueName(folder: Segments, hint: string): Deferred<string>;
  makeDirectory(path: Segments): Deferred<void>;
  removeDirectory(path: Segments): Deferred<void>;
  removeFile(path: Segments): Deferred<void>;
  rename(from: Segments, to: Segments): Deferred<void>;
}
