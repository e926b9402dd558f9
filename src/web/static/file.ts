/**
 * `File`: serves a file or a directory tree (Twisted's `web.static.File`), with index files, directory
 * listings, content types, ranges, validators and conditional requests, streamed with backpressure.
 *
 * Nothing outside the root is reachable: path segments `.`/`..`, segments holding `/`, `\` or NUL (as
 * `%2F`, `%5C`, `%00` decode to) are refused, and a file whose real path (symlinks resolved) is outside the
 * root's real path is a 404 unless `followSymlinksOutside` is set. Dotfiles and dot-folders (`.git`, `.env`)
 * are neither listed nor served unless `dotfiles` is set: a project folder served as it is keeps its secrets.
 * @module
 */
import { join, relative, resolve, sep } from 'node:path';
import { Failure } from '../../defer/index.js';
import type { IResource } from '../interfaces.js';
import type { Request } from '../request.js';
import { NOT_DONE_YET, NoResource, Resource, errorHTML } from '../resource.js';
import { fileError, fileErrorPage, nodeFileSystem, statusForFileError, type StaticFileSystem } from './fs.js';
import { directoryListing } from './listing.js';
import { serveFile } from './serve-file.js';

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
  /**
   * List and serve names starting with a dot, `.git/config` or `.env` (default false: they are left out of
   * listings and answer 404, whether named in the URL or reached through a symlink). `.well-known`
   * (RFC 8615) is public by definition and always served.
   */
  dotfiles?: boolean;
  /** The file system to read (default: the disk, through `node:fs`); tests pass one that fails. */
  fs?: StaticFileSystem;
}

const BAD_SEGMENT = /[/\\\0]/;

/** The one dot-folder meant to be public: RFC 8615 well-known locations (ACME challenges, security.txt). */
const WELL_KNOWN = '.well-known';

function hidden(name: string): boolean {
  return name.startsWith('.') && name !== WELL_KNOWN;
}

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
    if (!this.options.dotfiles && hidden(segment)) return new NoResource();
    return new File(join(this.path, segment), this.options, this.root, this.#realRoot());
  }

  renderGET(request: Request): typeof NOT_DONE_YET {
    this.#serve(request).catch((e) => request.processingFailed(e instanceof Failure ? e : new Failure(e)));
    return NOT_DONE_YET;
  }

  get #fs(): StaticFileSystem {
    return this.options.fs ?? nodeFileSystem;
  }

  #realRoot(): Promise<string> {
    return (this.#rootReal ??= this.#fs.realpath(this.root).catch(() => this.root));
  }

  /** False when `real` (a resolved path) is outside the root, or reaches a hidden name inside it. */
  async #reachable(real: string): Promise<boolean> {
    const rootReal = await this.#realRoot();
    const inside = real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
    if (!inside) return this.options.followSymlinksOutside === true;
    return this.options.dotfiles === true || !relative(rootReal, real).split(sep).some(hidden);
  }

  async #serve(request: Request): Promise<void> {
    const fs = this.#fs;
    let st: Awaited<ReturnType<StaticFileSystem['stat']>>;
    let real: string;
    try {
      [st, real] = await Promise.all([fs.stat(this.path), fs.realpath(this.path)]);
    } catch (e) {
      return fileError(request, this.path, e);
    }
    if (!(await this.#reachable(real))) return fileErrorPage(request, 404);
    if (st.isDirectory()) return this.#serveDirectory(request);
    if (!st.isFile()) return fileErrorPage(request, 404);
    return serveFile(request, this.path, st, this.options, fs);
  }

  async #serveDirectory(request: Request): Promise<void> {
    if (!request.path.endsWith('/')) {
      const q = request.uri.indexOf('?');
      request.redirect(`${request.path}/${q === -1 ? '' : request.uri.slice(q)}`, 301);
      request.finish();
      return;
    }
    const fs = this.#fs;
    for (const name of this.options.indexNames ?? ['index.html', 'index.htm']) {
      const child = this.getChild(name, request);
      if (!(child instanceof File)) continue;
      try {
        const st = await fs.stat(child.path);
        if (st.isFile()) return child.#serve(request);
      } catch (e) {
        // No such index file: try the next. Any other error (no descriptors left, access refused) answers.
        if (statusForFileError(e) !== 404) return fileError(request, child.path, e);
      }
    }
    if (this.options.directoryListing === false) {
      request.setResponseCode(403);
      request.setHeader('Content-Type', 'text/html; charset=utf-8');
      request.write(errorHTML(403, 'Forbidden', 'Directory listing is not allowed.'));
      request.finish();
      return;
    }
    let entries;
    try {
      entries = await fs.readdir(this.path);
    } catch (e) {
      return fileError(request, this.path, e);
    }
    if (!this.options.dotfiles) entries = entries.filter((e) => !hidden(e.name));
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
