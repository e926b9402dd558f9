/**
 * Content types by file extension, for `File`: the `mime-types` table (mime-db, kept up to date upstream),
 * with a charset on text types, and a few choices of Torsion's own on top.
 * @module
 */
import { contentType } from 'mime-types';

/**
 * Where Torsion departs from mime-db. TypeScript sources (`.ts`, `.mts`, `.cts`, `.tsx`) are what a
 * TypeScript project serves, not MPEG transport streams (mime-db's `video/mp2t`); there is no registered
 * TypeScript type, so they are served as text a browser shows. Serve HLS segments with
 * `contentTypes: { '.ts': 'video/mp2t' }`.
 */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.ts': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
  '.cts': 'text/plain; charset=utf-8',
  '.tsx': 'text/plain; charset=utf-8',
};

/**
 * The content type for the file `name`: `extra` (by extension, `.foo`), then {@link CONTENT_TYPES}, then
 * mime-db, else `fallback`.
 *
 * @example
 * contentTypeFor('app.mjs', undefined, 'application/octet-stream'); // 'text/javascript; charset=utf-8'
 */
export function contentTypeFor(name: string, extra: Record<string, string> | undefined, fallback: string): string {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const dot = name.lastIndexOf('.');
  if (dot <= slash + 1) return fallback;
  const ext = name.slice(dot).toLowerCase();
  return extra?.[ext] ?? CONTENT_TYPES[ext] ?? (contentType(ext) || fallback);
}
