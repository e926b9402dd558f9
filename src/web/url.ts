/**
 * Request-target parsing: the path, its decoded segments, and the query arguments.
 * @module
 */

/** The path part of a request target (`/a/b%20c?x=1` → `/a/b%20c`; an absolute-form target's path). */
export function targetPath(uri: string): string {
  if (uri === '/') return uri;
  const q = uri.indexOf('?');
  let path = q === -1 ? uri : uri.slice(0, q);
  if (path.charCodeAt(0) !== 0x2f) {
    // Absolute form (`GET http://host/p`, as sent to proxies): the path is what follows the authority.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
    if (m) path = path.slice(m[0].length) || '/';
  }
  return path;
}

/** The percent-decoded segments of a path (`/a/b%20c` → `['a', 'b c']`; `/` → `['']`). */
export function pathSegments(path: string): string[] {
  if (path === '/') return [''];
  const parts = (path.charCodeAt(0) === 0x2f ? path : `/${path}`).split('/');
  parts.shift();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.includes('%')) {
      try {
        parts[i] = decodeURIComponent(p);
      } catch {
        // An undecodable segment is kept as sent; resources that serve files refuse '%' garbage anyway.
      }
    }
  }
  return parts;
}

/** The query arguments of a request target: each name with all its values, in order. */
export function parseQuery(uri: string): Map<string, string[]> {
  const args = new Map<string, string[]>();
  const q = uri.indexOf('?');
  if (q === -1) return args;
  for (const [k, v] of new URLSearchParams(uri.slice(q + 1))) {
    const list = args.get(k);
    if (list) list.push(v);
    else args.set(k, [v]);
  }
  return args;
}
