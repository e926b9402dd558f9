/**
 * `File`: serves a file or a directory tree (Twisted's `web.static.File`), with index files, directory
 * listings, content types, ranges, validators and conditional requests, streamed with backpressure.
 *
 * Nothing outside the root is reachable: path segments `.`/`..`, segments holding `/`, `\` or NUL (as
 * `%2F`, `%5C`, `%00` decode to) are refused, and a file whose real path (symlinks resolved) is outside the
 * root's real path is a 404 unless `followSymlinksOutside` is set.
 * @module
 */
import { constants, open, promises as fsp, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Failure } from '../../defer/index.js';
import type { IResource } from '../interfaces.js';
import type { Request } from '../request.js';
import { NOT_DONE_YET, NoResource, Resource, errorHTML } from '../resource.js';
import { FileSender, type Part } from './file-sender.js';
import { directoryListing } from './listing.js';
import { contentTypeFor } from './mime.js';
import { parseRange } from './range.js';

/** Options of a {@link File}. */
export interface FileOptions {
  /** Names tried, in order, when a directory is requested (default `index.html`, `index.htm`). */
  indexNames?: string[];
  /** List directories that have no index file (default true); false gives 403. */
  directoryListing?: boolean;
  /** Extra extension → content type entries (`{ '.foo': 'text/x-foo' }`). */
  contentTypes?: Record<string, string>;
  /** The type of files with unknown extensions (default `application/octet-stream`). */
  defaultType?: string;
  /** Serve files whose symlinks lead outside the root (default false). */
  followSymlinksOutside?: boolean;
}

const BAD_SEGMENT = /[/\\\0]/;

/**
 * A static file or directory.
 *
 * @example
 * const site = new Site(new File('./public'));
 */
export class File extends Resource {
  /** The file system path this resource stands for. */
  readonly path: string;
  readonly root: string;
  readonly options: FileOptions;
  #rootReal: Promise<string> | undefined;

  constructor(path: string, options: FileOptions = {}, root?: string, rootReal?: Promise<string>) {
    super();
    this.path = resolve(path);
    this.root = root ?? this.path;
    this.options = options;
    this.#rootReal = rootReal;
  }

  override getChild(segment: string, _request: Request): IResource {
    if (segment === '') return this;
    if (segment === '.' || segment === '..' || BAD_SEGMENT.test(segment)) return new NoResource();
    return new File(join(this.path, segment), this.options, this.root, this.#realRoot());
  }

  renderGET(request: Request): typeof NOT_DONE_YET {
    this.#serve(request).catch((e) => request.processingFailed(e instanceof Failure ? e : new Failure(e)));
    return NOT_DONE_YET;
  }

  #realRoot(): Promise<string> {
    return (this.#rootReal ??= fsp.realpath(this.root).catch(() => this.root));
  }

  async #serve(request: Request): Promise<void> {
    let st: Stats;
    let real: string;
    try {
      [st, real] = await Promise.all([fsp.stat(this.path), fsp.realpath(this.path)]);
    } catch {
      return notFound(request);
    }
    if (!this.options.followSymlinksOutside) {
      const rootReal = await this.#realRoot();
      if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) return notFound(request);
    }
    if (st.isDirectory()) return this.#serveDirectory(request);
    if (!st.isFile()) return notFound(request);
    return serveFile(request, this.path, st, this.options);
  }

  async #serveDirectory(request: Request): Promise<void> {
    if (!request.path.endsWith('/')) {
      const q = request.uri.indexOf('?');
      request.redirect(`${request.path}/${q === -1 ? '' : request.uri.slice(q)}`, 301);
      request.finish();
      return;
    }
    for (const name of this.options.indexNames ?? ['index.html', 'index.htm']) {
      const child = this.getChild(name, request) as File;
      try {
        const st = await fsp.stat(child.path);
        if (st.isFile()) return child.#serve(request);
      } catch {
        // No such index file: try the next.
      }
    }
    if (this.options.directoryListing === false) {
      request.setResponseCode(403);
      request.setHeader('Content-Type', 'text/html; charset=utf-8');
      request.write(errorHTML(403, 'Forbidden', 'Directory listing is not allowed.'));
      request.finish();
      return;
    }
    const entries = await fsp.readdir(this.path, { withFileTypes: true });
    request.setHeader('Content-Type', 'text/html; charset=utf-8');
    request.write(directoryListing(decodeURIComponentSafe(request.path), entries));
    request.finish();
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function notFound(request: Request): void {
  request.setResponseCode(404);
  request.setHeader('Content-Type', 'text/html; charset=utf-8');
  request.write(errorHTML(404, 'No Such Resource', 'File not found.'));
  request.finish();
}

/** The strong validator of a file: size and modification time. */
export function etagFor(st: Stats): string {
  return `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === bare || v === `W/${bare}`;
  });
}

/** Serves one regular file: validators, conditional requests, ranges, then the bytes. */
async function serveFile(request: Request, path: string, st: Stats, options: FileOptions): Promise<void> {
  const etag = etagFor(st);
  const mtime = Math.floor(st.mtimeMs / 1000);
  const lastModified = new Date(mtime * 1000).toUTCString();
  request.setHeader('Last-Modified', lastModified);
  request.setHeader('ETag', etag);
  request.setHeader('Accept-Ranges', 'bytes');
  const inm = request.getHeader('if-none-match');
  const ims = request.getHeader('if-modified-since');
  if (inm !== null ? etagMatches(inm, etag) : ims !== null && Date.parse(ims) >= mtime * 1000) {
    request.setResponseCode(304);
    request.finish();
    return;
  }
  const type = contentTypeFor(path, options.contentTypes, options.defaultType ?? 'application/octet-stream');
  const size = st.size;
  let ranges = null as ReturnType<typeof parseRange>;
  const rangeHeader = request.getHeader('range');
  if (rangeHeader !== null && request.method === 'GET') {
    const ifRange = request.getHeader('if-range');
    const honour = ifRange === null || (ifRange.startsWith('"') ? ifRange === etag : Date.parse(ifRange) === mtime * 1000);
    if (honour) ranges = parseRange(rangeHeader, size);
  }
  if (ranges === 'unsatisfiable') {
    request.setResponseCode(416);
    request.setHeader('Content-Range', `bytes */${size}`);
    request.setHeader('Content-Type', 'text/html; charset=utf-8');
    request.write(errorHTML(416, 'Range Not Satisfiable', 'None of the requested ranges is inside the file.'));
    request.finish();
    return;
  }
  let parts: Part[];
  let length: number;
  if (ranges === null) {
    request.setHeader('Content-Type', type);
    parts = size > 0 ? [{ start: 0, end: size - 1 }] : [];
    length = size;
  } else if (ranges.length === 1) {
    const r = ranges[0];
    request.setResponseCode(206);
    request.setHeader('Content-Type', type);
    request.setHeader('Content-Range', `bytes ${r.start}-${r.end}/${size}`);
    parts = [r];
    length = r.end - r.start + 1;
  } else {
    const boundary = randomBytes(12).toString('hex');
    request.setResponseCode(206);
    request.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
    parts = [];
    length = 0;
    for (const r of ranges) {
      const head = `\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`;
      parts.push(head, r);
      length += Buffer.byteLength(head) + r.end - r.start + 1;
    }
    const tail = `\r\n--${boundary}--\r\n`;
    parts.push(tail);
    length += tail.length;
  }
  request.setHeader('Content-Length', length);
  if (request.method === 'HEAD' || length === 0) {
    request.finish();
    return;
  }
  let fd: number;
  try {
    fd = await new Promise<number>((ok, fail) => open(path, constants.O_RDONLY, (err, n) => (err ? fail(err) : ok(n))));
  } catch {
    request.removeHeader('Content-Length');
    return notFound(request);
  }
  new FileSender(fd, parts, request).start();
}
