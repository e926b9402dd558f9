/**
 * A small cookie jar for the client (RFC 6265 §5): domain and path matching, Secure, Max-Age/Expires,
 * host-only cookies, public suffixes refused as cookie domains, and limits on cookie size and count.
 * @module
 */
import { getPublicSuffix } from 'tldts';
import { isIPAddress as isIP } from '../../internet/address.js';
import type { IReactorTime } from '../../internet/interfaces.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { CLIENT_LIMITS } from './limits.js';

/** A stored cookie. */
export interface Cookie {
  name: string;
  value: string;
  /** Lower-case domain, without a leading dot. */
  domain: string;
  /** True when set without a Domain attribute: sent to that exact host only. */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Expiry in the jar's clock seconds, or null for a session cookie. */
  expires: number | null;
  /** Creation order, for sorting. */
  created: number;
}


/**
 * Cookies by domain and path.
 *
 * @example
 * const jar = new CookieJar();
 * jar.setCookies(new URL('https://example.org/a/'), ['id=1; Path=/; Secure; Max-Age=3600']);
 * jar.cookieHeader(new URL('https://example.org/a/b')); // 'id=1'
 */
export class CookieJar {
  #cookies: Cookie[] = [];
  #counter = 0;

  /** @param clock where time comes from: the environment's reactor by default, or a test `Clock` */
  constructor(readonly clock: IReactorTime = defaultReactor()) {}

  /** Every live cookie. */
  all(): Cookie[] {
    this.#expire();
    return [...this.#cookies];
  }

  /** Forgets every cookie. */
  clear(): void {
    this.#cookies = [];
  }

  /** Stores the cookies of `Set-Cookie` fields received from `url`; bad or foreign ones are ignored. */
  setCookies(url: URL, setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const cookie = this.#parse(url, header);
      if (cookie !== null) this.#store(cookie);
    }
  }

  /** The `Cookie` header for a request to `url`, or null if no cookie applies. */
  cookieHeader(url: URL): string | null {
    this.#expire();
    const host = hostOf(url);
    const path = url.pathname === '' ? '/' : url.pathname;
    const secure = url.protocol === 'https:';
    const matching = this.#cookies.filter(
      (c) => (c.hostOnly ? c.domain === host : domainMatch(host, c.domain)) && pathMatch(path, c.path) && (!c.secure || secure),
    );
    if (matching.length === 0) return null;
    matching.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    return matching.map((c) => (c.name === '' ? c.value : `${c.name}=${c.value}`)).join('; ');
  }

  #parse(url: URL, header: string): Cookie | null {
    if (header.length > CLIENT_LIMITS.maxCookieSize || /[\0\r\n]/.test(header)) return null;
    const [pair, ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
    if (name === '' && value === '') return null;
    const host = hostOf(url);
    const now = this.clock.seconds();
    let domain = '';
    let path: string | null = null;
    let secure = false;
    let httpOnly = false;
    let maxAge: number | null = null;
    let expires: number | null = null;
    for (const attribute of attributes) {
      const i = attribute.indexOf('=');
      const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const v = i === -1 ? '' : attribute.slice(i + 1).trim();
      if (key === 'domain') domain = v.replace(/^\./, '').toLowerCase();
      else if (key === 'path') path = v.startsWith('/') ? v : null;
      else if (key === 'secure') secure = true;
      else if (key === 'httponly') httpOnly = true;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
      else if (key === 'expires') {
        const t = Date.parse(v);
        // An HTTP date is wall-clock time: carried over to the jar's clock as time from now.
        if (!Number.isNaN(t)) expires = t / 1000 - Date.now() / 1000 + now;
      }
    }
    if (secure && url.protocol !== 'https:') return null;
    if (domain !== '' && !isIP(host) && isPublicSuffix(domain)) {
      // RFC 6265 §5.3 step 5: evil.co.uk may not set a cookie for all of co.uk; a host that is itself a
      // public suffix keeps its cookie, but for itself only.
      if (domain !== host) return null;
      domain = '';
    }
    // A Domain must cover the host; an IP address host can only name itself.
    if (domain !== '' && (!domainMatch(host, domain) || (isIP(host) && domain !== host))) return null;
    const hostOnly = domain === '';
    return {
      name,
      value,
      domain: hostOnly ? host : domain,
      hostOnly,
      path: path ?? defaultPath(url.pathname),
      secure,
      httpOnly,
      expires: maxAge !== null ? now + maxAge : expires,
      created: this.#counter++,
    };
  }

  #store(cookie: Cookie): void {
    this.#cookies = this.#cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path && c.hostOnly === cookie.hostOnly));
    if (cookie.expires !== null && cookie.expires <= this.clock.seconds()) return;
    const sameDomain = this.#cookies.filter((c) => c.domain === cookie.domain);
    if (sameDomain.length >= CLIENT_LIMITS.maxCookiesPerDomain) this.#drop(sameDomain[0]);
    if (this.#cookies.length >= CLIENT_LIMITS.maxCookies) this.#drop(this.#cookies[0]);
    this.#cookies.push(cookie);
  }

  #drop(cookie: Cookie): void {
    this.#cookies = this.#cookies.filter((c) => c !== cookie);
  }

  #expire(): void {
    const now = this.clock.seconds();
    if (this.#cookies.some((c) => c.expires !== null && c.expires <= now)) this.#cookies = this.#cookies.filter((c) => c.expires === null || c.expires > now);
  }
}

function hostOf(url: URL): string {
  const h = url.hostname.toLowerCase();
  return h.startsWith('[') ? h.slice(1, -1) : h;
}

/**
 * True when `domain` is on the Public Suffix List (through `tldts`), its private section included:
 * `github.io`, `blogspot.com` and the like hand subdomains to unrelated owners just as `co.uk` does, and
 * browsers keep cookies from spanning them. Unlisted top-level names count as suffixes (the list's `*` rule).
 */
function isPublicSuffix(domain: string): boolean {
  return getPublicSuffix(domain, { allowPrivateDomains: true, extractHostname: false }) === domain;
}

/** RFC 6265 §5.1.3. */
function domainMatch(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !isIP(host));
}

/** RFC 6265 §5.1.4. */
function pathMatch(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path.charAt(cookiePath.length) === '/';
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(path: string): string {
  if (!path.startsWith('/')) return '/';
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
