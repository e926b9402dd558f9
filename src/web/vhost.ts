/**
 * `NameVirtualHost`: one site, several host names, each with its own resource tree (by the `Host` header).
 * @module
 */
import type { IResource, RenderResult } from './interfaces.js';
import type { Request } from './request.js';
import { NoResource, Resource } from './resource.js';

/**
 * Dispatches on the request's `Host` (port and case ignored) to the tree added for it, or to `default`.
 *
 * @example
 * const vhost = new NameVirtualHost();
 * vhost.addHost('example.org', siteA);
 * vhost.default = fallback;
 */
export class NameVirtualHost extends Resource {
  /** Served for unknown hosts; when null they get 404. */
  default: IResource | null = null;
  readonly hosts = new Map<string, IResource>();

  addHost(name: string, resource: IResource): void {
    this.hosts.set(name.toLowerCase(), resource);
  }

  removeHost(name: string): void {
    this.hosts.delete(name.toLowerCase());
  }

  /** The tree for this request's host. */
  getResourceForRequest(request: Request): IResource {
    const host = hostName(request.getHeader('host'));
    return (host !== null ? this.hosts.get(host) : undefined) ?? this.default ?? new NoResource('No such host.');
  }

  override getChildWithDefault(segment: string, request: Request): IResource | PromiseLike<IResource> {
    return this.getResourceForRequest(request).getChildWithDefault(segment, request);
  }

  override render(request: Request): RenderResult {
    return this.getResourceForRequest(request).render(request);
  }
}

/** `Example.org:8080` → `example.org`; `[::1]:80` → `[::1]`. */
export function hostName(header: string | null): string | null {
  if (header === null || header === '') return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}
