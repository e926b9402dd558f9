/**
 * RFC 5321 paths (`<alice@example.org>`, `<>`) and ESMTP parameters (`SIZE=1000 BODY=8BITMIME`).
 * Browser-safe.
 * @module
 */
import { AddressError } from './errors.js';

/** A mailbox, `local@domain` (Twisted's `smtp.Address`). The domain is kept as given and compared in lower case. */
export class Address {
  constructor(
    readonly local: string,
    readonly domain: string,
  ) {}

  /**
   * Parses a mailbox (`alice@example.org`, with or without angle brackets; a source route `@a,@b:` is
   * dropped as RFC 5321 §4.1.4 allows). `utf8` allows non-ASCII (SMTPUTF8, RFC 6531).
   */
  static parse(text: string, utf8 = false): Address {
    let s = text;
    if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1);
    if (s.startsWith('@')) {
      const colon = s.indexOf(':');
      if (colon < 0) throw new AddressError('a source route without its colon');
      s = s.slice(colon + 1);
    }
    const at = s.lastIndexOf('@');
    if (at <= 0 || at === s.length - 1) throw new AddressError(`not a mailbox: ${JSON.stringify(text)}`);
    const local = s.slice(0, at);
    const domain = s.slice(at + 1);
    if (!validLocal(local, utf8)) throw new AddressError(`bad local part: ${JSON.stringify(local)}`);
    if (!validDomain(domain, utf8)) throw new AddressError(`bad domain: ${JSON.stringify(domain)}`);
    return new Address(local, domain);
  }

  /** The domain in lower case, for comparing. */
  get domainKey(): string {
    return this.domain.toLowerCase();
  }

  toString(): string {
    return `${this.local}@${this.domain}`;
  }
}

/** True if `text` has a character outside ASCII (which needs SMTPUTF8 in an address). */
export function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
const ATEXT_UTF8 = /^(?:[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]|[\u0080-\u{10FFFF}])+$/u;

function validLocal(local: string, utf8: boolean): boolean {
  if (local.length > 64 * (utf8 ? 4 : 1)) return false;
  if (!utf8 && hasNonAscii(local)) return false;
  if (local.startsWith('"')) return /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e]|[\u0080-\u{10FFFF}])*"$/u.test(local) && (utf8 || !hasNonAscii(local));
  const atom = utf8 ? ATEXT_UTF8 : ATEXT;
  return local.split('.').every((part) => atom.test(part));
}

function validDomain(domain: string, utf8: boolean): boolean {
  if (domain.length > 255) return false;
  if (domain.startsWith('[')) return /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/.test(domain);
  const label = utf8 ? /^(?:[A-Za-z0-9]|[\u0080-\u{10FFFF}])(?:(?:[A-Za-z0-9-]|[\u0080-\u{10FFFF}])*(?:[A-Za-z0-9]|[\u0080-\u{10FFFF}]))?$/u : /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
  return domain.split('.').every((part) => part.length <= 63 && label.test(part));
}

/** A parsed `MAIL FROM:` or `RCPT TO:` argument: the path (null for `<>`) and the ESMTP parameters (upper-case keys). */
export interface PathArgument {
  address: Address | null;
  params: Map<string, string | true>;
}

/**
 * Parses what follows `FROM:` or `TO:` (`<alice@example.org> SIZE=100`). `allowNull` accepts `<>` (the
 * null reverse-path of bounces). Throws `AddressError`.
 */
export function parsePathArgument(text: string, allowNull: boolean, utf8: boolean): PathArgument {
  const s = text.trimStart();
  if (!s.startsWith('<')) throw new AddressError('the path must be in angle brackets');
  const close = s.indexOf('>');
  if (close < 0) throw new AddressError('the path has no closing bracket');
  const inner = s.slice(1, close);
  const params = parseParams(s.slice(close + 1));
  if (inner === '') {
    if (!allowNull) throw new AddressError('a recipient cannot be empty');
    return { address: null, params };
  }
  // SMTPUTF8 on the same command allows UTF-8 in the address itself.
  return { address: Address.parse(inner, utf8 || params.has('SMTPUTF8')), params };
}

function parseParams(text: string): Map<string, string | true> {
  const params = new Map<string, string | true>();
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    const key = (eq < 0 ? word : word.slice(0, eq)).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) throw new AddressError(`bad parameter ${JSON.stringify(word)}`);
    params.set(key, eq < 0 ? true : word.slice(eq + 1));
  }
  return params;
}
