/**
 * Resolving the paths clients send against a working folder, sans I/O. `/` and `\` both separate
 * names (a Windows client's `..\..\etc` is caught like a Unix one's), `..` at the root stays at the root
 * (as in a chroot), and the result is a list of plain names below the root: no `.`, `..` or empty
 * segment can reach the file system.
 * @module
 */
import { FTPPathError } from './errors.js';
import type { Segments } from './interfaces.js';

/** The segments `path` names, seen from the working folder `cwd`. Throws `FTPPathError` for a NUL inside. */
export function resolvePath(cwd: Segments, path: string): string[] {
  if (path.includes('\0')) throw new FTPPathError('a path may not hold NUL');
  const out = /^[/\\]/.test(path) ? [] : [...cwd];
  for (const part of path.split(/[/\\]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** The path clients see for `segments`: `/` and names joined by `/`. */
export function formatPath(segments: Segments): string {
  return '/' + segments.join('/');
}

/** `PWD`'s quoting (RFC 959 appendix II): the path in double quotes, each quote inside doubled. */
export function quotePath(segments: Segments): string {
  return `"${formatPath(segments).replace(/"/g, '""')}"`;
}
