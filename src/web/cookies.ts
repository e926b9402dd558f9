/**
 * Cookie parsing (`Cookie` request header) and formatting (`Set-Cookie`, RFC 6265).
 * @module
 */

/** Attributes of a `Set-Cookie`. */
export interface CookieOptions {
  /** Absolute expiry. */
  expires?: Date;
  /** Lifetime in seconds. */
  maxAge?: number;
  domain?: string;
  path?: string;
  /** Only sent over HTTPS. */
  secure?: boolean;
  /** Hidden from page scripts. */
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const ATTR = /^[\x20-\x3a\x3c-\x7e]*$/;

/** Parses a `Cookie` header into name → value (the first of repeated names wins, as browsers send the most specific first). */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (header === null) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * Builds a `Set-Cookie` value. Names and values that could inject attributes or headers are refused.
 * @throws TypeError
 */
export function formatCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new TypeError(`invalid cookie name ${JSON.stringify(name)}`);
  if (!VALUE.test(value)) throw new TypeError(`invalid cookie value for ${name} (encode it first)`);
  let s = `${name}=${value}`;
  if (options.expires) s += `; Expires=${options.expires.toUTCString()}`;
  if (options.maxAge !== undefined) s += `; Max-Age=${Math.floor(options.maxAge)}`;
  if (options.domain !== undefined) s += `; Domain=${attr(options.domain)}`;
  if (options.path !== undefined) s += `; Path=${attr(options.path)}`;
  if (options.secure || options.sameSite === 'None') s += '; Secure';
  if (options.httpOnly) s += '; HttpOnly';
  if (options.sameSite) s += `; SameSite=${options.sameSite}`;
  return s;
}

function attr(v: string): string {
  if (!ATTR.test(v)) throw new TypeError(`invalid cookie attribute ${JSON.stringify(v)}`);
  return v;
}
