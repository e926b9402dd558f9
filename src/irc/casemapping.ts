/**
 * IRC case mapping: nicks and channel names compare case-insensitively, and under `rfc1459` (the default of
 * RFC 1459 and most servers) `[]\^` are the upper case of `{}|~`, as in the servers' own tables (the RFC's
 * prose swaps `^` and `~`; what matters is that both sides fold alike). The server names its mapping in
 * ISUPPORT `CASEMAPPING`.
 * @module
 */

/** The case mappings servers announce. Unknown names are treated as `rfc1459`, as RFC 2812 suggests. */
export type CaseMapping = 'rfc1459' | 'strict-rfc1459' | 'ascii';

/** The mapping named by an ISUPPORT `CASEMAPPING` value; anything unknown is `rfc1459`. */
export function caseMappingFor(name: string | undefined): CaseMapping {
  return name === 'ascii' || name === 'strict-rfc1459' ? name : 'rfc1459';
}

/**
 * `text` in IRC lower case.
 * @example ircLower('Nick[Away]') // 'nick{away}'
 */
export function ircLower(text: string, mapping: CaseMapping = 'rfc1459'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if (mapping !== 'ascii' && c >= 91 && c <= (mapping === 'rfc1459' ? 94 : 93)) out += String.fromCharCode(c + 32);
    else out += text[i];
  }
  return out;
}

/** True when `a` and `b` name the same nick or channel under `mapping`. */
export function ircEquals(a: string, b: string, mapping: CaseMapping = 'rfc1459'): boolean {
  return a.length === b.length && ircLower(a, mapping) === ircLower(b, mapping);
}
