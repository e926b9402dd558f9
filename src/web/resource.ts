/**
 * Resources: the nodes of a site's URL tree (Twisted's `web/resource.py`). A request walks the tree one path
 * segment at a time with `getChildWithDefault`, then the resource it lands on renders it.
 * @module
 */
import type { IResource, RenderResult } from './interfaces.js';
import type { Request } from './request.js';
import { escapeHTML } from './html.js';
import { RESPONSES } from './status.js';

/**
 * Returned by `render` to say "I will write and `finish()` the response myself, later".
 * (Twisted's `server.NOT_DONE_YET`.)
 */
export const NOT_DONE_YET: unique symbol = Symbol('NOT_DONE_YET');

const rendererNames = new Map<string, string>();

/** `'GET'` → `'renderGET'`, cached. */
function rendererName(method: string): string {
  if (method === 'GET') return 'renderGET';
  let name = rendererNames.get(method);
  if (name === undefined) {
    name = `render${method}`;
    if (rendererNames.size < 64) rendererNames.set(method, name);
  }
  return name;
}

/**
 * A node in the URL tree. Subclass it and add per-method renderers (`renderGET`, `renderPOST`, ...), or
 * override `render` to handle every method yourself.
 *
 * `getChild('')` returns the resource itself, so `/dir/` renders `dir`; other unknown segments are a 404.
 * `getChild` may return a Promise or a Deferred: the request waits for it.
 *
 * @example
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   renderGET(request: Request) { request.setHeader('Content-Type', 'text/plain'); return 'hello'; }
 * }
 * const site = new Site(new Hello());
 */
export class Resource implements IResource {
  /** True when this resource consumes the rest of the path itself (no further `getChild` calls). */
  isLeaf = false;
  /**
   * When true the resource renders as soon as the request head arrives and reads the body as it streams
   * (`request.setBodyReceiver`); when false (the default) the body is buffered into `request.content` first,
   * up to the site's `maxBodySize`.
   */
  streamBody = false;
  /** The static children added with `putChild`. */
  readonly children = new Map<string, IResource>();

  /** Adds a static child under `segment` (one path segment, no slashes). */
  putChild(segment: string, child: IResource): void {
    this.children.set(segment, child);
  }

  /** The static child if there is one, otherwise `getChild`. */
  getChildWithDefault(segment: string, request: Request): IResource | PromiseLike<IResource> {
    return this.children.get(segment) ?? this.getChild(segment, request);
  }

  /** Dynamic children: override to build them on demand. The default 404s everything but `''`. */
  getChild(segment: string, _request: Request): IResource | PromiseLike<IResource> {
    return segment === '' ? this : notFound();
  }

  /**
   * Renders by calling `render<METHOD>` (HEAD falls back to `renderGET`). A method with no renderer gets
   * 405 with an `Allow` header listing those that exist; a resource with no renderer at all (a bare
   * `Resource` holding children) has nothing to show at its own URL and answers 404, never a 405 that
   * allows nothing.
   */
  render(request: Request): RenderResult {
    const fn = (this as unknown as Record<string, unknown>)[rendererName(request.method)] ?? (request.method === 'HEAD' ? (this as unknown as Record<string, unknown>).renderGET : undefined);
    if (typeof fn === 'function') return (fn as (r: Request) => RenderResult).call(this, request);
    const allowed = this.allowedMethods();
    if (allowed.length === 0) return notFound().render(request);
    request.setHeader('Allow', allowed.join(', '));
    return new ErrorPage(405, RESPONSES[405], `Allowed: ${allowed.join(', ')}`).render(request);
  }

  /**
   * The methods this resource has a `render<METHOD>` for (HEAD when it has GET): methods of its class and
   * its ancestors, and renderers assigned to the instance (`renderGET = (r) => ...`).
   */
  allowedMethods(): string[] {
    const found = new Set<string>();
    for (let obj: object | null = this; obj !== null && obj !== Object.prototype; obj = Object.getPrototypeOf(obj)) {
      for (const key of Object.getOwnPropertyNames(obj)) {
        if (!/^render[A-Z]+$/.test(key)) continue;
        const desc = Object.getOwnPropertyDescriptor(obj, key);
        if (desc !== undefined && typeof desc.value === 'function') found.add(key.slice(6));
      }
    }
    if (found.has('GET')) found.add('HEAD');
    return [...found].sort();
  }
}

/** A simple HTML error page: `code`, a title and a detail line (escaped). */
export class ErrorPage extends Resource {
  override isLeaf = true;
  ignoresBody = true;
  constructor(readonly code: number, readonly brief: string, readonly detail: string) {
    super();
  }

  override getChild(): IResource {
    return this;
  }

  override render(request: Request): string {
    request.setResponseCode(this.code);
    request.setHeader('Content-Type', 'text/html; charset=utf-8');
    return errorHTML(this.code, this.brief, this.detail);
  }
}

/** The HTML of an error page (everything escaped). */
export function errorHTML(code: number, brief: string, detail: string): string {
  const b = escapeHTML(brief);
  return `<!DOCTYPE html>\n<html><head><title>${code} - ${b}</title></head><body><h1>${b}</h1><p>${escapeHTML(detail)}</p></body></html>\n`;
}

/** A 404 page. */
export class NoResource extends ErrorPage {
  constructor(detail = 'Sorry. No luck finding that resource.') {
    super(404, 'No Such Resource', detail);
  }
}

/** A 403 page. */
export class ForbiddenResource extends ErrorPage {
  constructor(detail = 'Sorry, resource is forbidden.') {
    super(403, 'Forbidden Resource', detail);
  }
}

let sharedNotFound: NoResource | undefined;
function notFound(): NoResource {
  return (sharedNotFound ??= new NoResource());
}

/** A leaf resource that always renders the same bytes with the same content type. */
export class Data extends Resource {
  override isLeaf = true;
  constructor(readonly data: string | Uint8Array, readonly type: string) {
    super();
  }

  renderGET(request: Request): string | Uint8Array {
    request.setHeader('Content-Type', this.type);
    return this.data;
  }
}
