/**
 * The file system as `File` sees it: the few operations it calls, as one object a test (or a virtual tree)
 * can stand in for, and what their errors answer.
 * @module
 */
import { constants, open, promises as fsp, type Dirent, type Stats } from 'node:fs';
import type { Request } from '../request.js';
import { errorHTML } from '../resource.js';
import { RESPONSES } from '../status.js';
import { webLog } from '../log.js';

/** The operations `File` uses, promise-shaped. */
export interface StaticFileSystem {
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<Dirent[]>;
  /** Opens `path` read-only; resolves with a file descriptor the caller closes (with `fs.close`). */
  open(path: string): Promise<number>;
}

/** The real disk, through `node:fs`. */
export const nodeFileSystem: StaticFileSystem = {
  stat: (path) => fsp.stat(path),
  realpath: (path) => fsp.realpath(path),
  readdir: (path) => fsp.readdir(path, { withFileTypes: true }),
  open: (path) => new Promise<number>((ok, fail) => open(path, constants.O_RDONLY, (err, fd) => (err ? fail(err) : ok(fd)))),
};

/** Seconds a client is asked to wait (`Retry-After`) when the process is out of file descriptors. */
export const RETRY_AFTER_EMFILE = 5;

/** The errno names that mean "there is no such file here". */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

/**
 * The status a file system error answers with:
 * - 404 when the file is not there (`ENOENT`, `ENOTDIR`, `ENAMETOOLONG`, `ELOOP`);
 * - 403 when the operating system refuses access (`EACCES`, `EPERM`): the operator made the file
 *   unreadable to the server, a deliberate refusal that retrying will not change, which is what RFC 9110
 *   §15.5.4 describes (and what Twisted, Apache and nginx answer);
 * - 503 when the process is out of file descriptors (`EMFILE`, `ENFILE`): the server is overloaded and
 *   the same request may succeed shortly (RFC 9110 §15.6.4), so it says when to retry;
 * - 500 for anything else (an I/O error): the server failed.
 */
export function statusForFileError(error: unknown): 403 | 404 | 500 | 503 {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 500;
  if (MISSING.has(code)) return 404;
  if (code === 'EACCES' || code === 'EPERM') return 403;
  if (code === 'EMFILE' || code === 'ENFILE') return 503;
  return 500;
}

const DETAIL: Record<number, string> = {
  403: 'The server is not allowed to read this file.',
  404: 'File not found.',
  500: 'The file could not be read; the error has been logged.',
  503: 'The server is too busy to open this file now; try again shortly.',
};

/** Answers `request` with an error page of `code` (no file headers: none were set yet). */
export function fileErrorPage(request: Request, code: number): void {
  request.setResponseCode(code);
  request.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (code === 503) request.setHeader('Retry-After', RETRY_AFTER_EMFILE);
  request.write(errorHTML(code, code === 404 ? 'No Such Resource' : (RESPONSES[code] ?? 'Error'), DETAIL[code] ?? ''));
  request.finish();
}

/** Answers `request` for a file system `error` on `path`, logging what the operator must fix (5xx). */
export function fileError(request: Request, path: string, error: unknown): void {
  const code = statusForFileError(error);
  if (code >= 500) webLog.warn('cannot serve {path}: {error}', { path, error: error instanceof Error ? error.message : String(error) });
  fileErrorPage(request, code);
}
