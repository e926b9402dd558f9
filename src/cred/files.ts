/**
 * Reading the small files checkers consult (password files, `authorized_keys`, `/etc/passwd`) with a
 * size bound, and noticing when one changed.
 * @module
 */
import { open, stat } from 'node:fs/promises';
import { Deferred } from '../defer/index.js';
import { TorsionError } from '../errors/index.js';

/** Bytes read at a time. */
const CHUNK = 64 * 1024;

/** A file a checker reads is larger than its limit. */
export class FileTooLargeError extends TorsionError {
  override readonly code = 'TORSION_CRED_FILE_TOO_LARGE';
  override name = 'FileTooLargeError';
}

/** What identifies one version of a file: a change to any of these means it must be read again. */
export interface FileVersion {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** The version of the file at `path` now. */
export function fileVersion(path: string): Deferred<FileVersion> {
  return Deferred.fromPromise(stat(path)).addCallback(({ dev, ino, size, mtimeMs, ctimeMs }) => ({ dev, ino, size, mtimeMs, ctimeMs }));
}

/** True if `a` and `b` are the same version of a file. */
export function sameVersion(a: FileVersion | undefined, b: FileVersion): boolean {
  return a !== undefined && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * The text of the file at `path` (UTF-8), failing with {@link FileTooLargeError} past `maxBytes` (checked on
 * the open file and while reading, so a file that grows meanwhile is refused too).
 */
export function readBoundedText(path: string, maxBytes: number): Deferred<string> {
  return Deferred.fromPromise(
    (async () => {
      const file = await open(path, 'r');
      try {
        const { size } = await file.stat();
        if (size > maxBytes) throw new FileTooLargeError(`${path} is ${size} bytes, over the limit of ${maxBytes}`);
        const chunks: Buffer[] = [];
        let length = 0;
        for (;;) {
          const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - length));
          const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          chunks.push(chunk.subarray(0, bytesRead));
          length += bytesRead;
          if (length > maxBytes) throw new FileTooLargeError(`${path} grew over the limit of ${maxBytes} bytes`);
        }
        return Buffer.concat(chunks, length).toString('utf8');
      } finally {
        await file.close();
      }
    })(),
  );
}
