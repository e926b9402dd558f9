/**
 * ENVELOPE (RFC 3501 §7.4.2) from a message header. Every field carries the header's own text, unfolded:
 * RFC 2047 encoded-words stay encoded (the client decodes them; SEARCH decodes them on the server), and
 * text with 8-bit bytes goes as a literal, since a quoted string is 7-bit. Address lists follow RFC 5322:
 * quoted display names and quoted-pairs, comments (a comment names a mailbox that has no display name),
 * source routes `<@a,@b:user@host>`, and groups as RFC 3501 writes them (a start `(NIL NIL "name" NIL)`
 * and an end `(NIL NIL NIL NIL)`).
 * @module
 */
import { headerFields } from './message-parts.js';
import { quoteString } from './values.js';

/** The host written for an address without one: NIL there would read as the start of a group. */
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'quoted'; readonly text: string }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'special'; readonly text: string };

const SPECIALS = '<>:;,@.';

/** The tokens of an address list; whitespace only separates (a phrase's words are joined with one space). */
function tokenize(value: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < value.length) {
    const ch = value[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if (ch === '"') {
      let text = '';
      for (i++; i < value.length && value[i] !== '"'; i++) text += value[i] === '\\' && i + 1 < value.length ? value[++i] : value[i];
      i++;
      out.push({ kind: 'quoted', text });
    } else if (ch === '(') {
      let text = '';
      let depth = 1;
      for (i++; i < value.length && depth > 0; i++) {
        const c = value[i]!;
        if (c === '\\' && i + 1 < value.length) {
          text += value[++i];
          continue;
        }
        if (c === '(') depth++;
        if (c === ')') depth--;
        if (depth > 0) text += c;
      }
      out.push({ kind: 'comment', text: text.trim() });
    } else if (SPECIALS.includes(ch)) {
      out.push({ kind: 'special', text: ch });
      i++;
    } else {
      let text = '';
      while (i < value.length && !' \t"(<>:;,@.'.includes(value[i]!)) text += value[i++];
      // A stray `)` or `[` is kept in the word rather than looping on it.
      out.push({ kind: 'word', text: text === '' ? value[i++]! : text });
    }
  }
  return out;
}

interface Address {
  name: string | null;
  route: string | null;
  mailbox: string | null;
  host: string | null;
}

const isSpecial = (t: Token | undefined, text: string): boolean => t?.kind === 'special' && t.text === text;

/** The words of a display name, each quoted string without its quotes, joined by one space. */
function phrase(tokens: readonly Token[]): string {
  const words: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    // Dots in a phrase (`John Q. Public`) belong to the word before them.
    if (isSpecial(t, '.') && words.length > 0) words[words.length - 1] += '.';
    else words.push(t.text);
  }
  return words.join(' ');
}

/** `local@domain` from its tokens (dots included), comments left out. */
function addrSpec(tokens: readonly Token[]): { mailbox: string; host: string | null } {
  const parts = tokens.filter((t) => t.kind !== 'comment');
  const at = parts.findLastIndex((t) => isSpecial(t, '@'));
  const text = (ts: readonly Token[]): string => ts.map((t) => (t.kind === 'quoted' ? quoteLocal(t.text) : t.text)).join('');
  if (at < 0) return { mailbox: text(parts), host: null };
  return { mailbox: text(parts.slice(0, at)), host: text(parts.slice(at + 1)) };
}

/** A quoted local part keeps its quotes (`"john doe"@host`), as it must to be an address again. */
function quoteLocal(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One mailbox (`name <route:addr>` or `addr (comment)`), or null for nothing but comments. */
function mailbox(tokens: readonly Token[]): Address | null {
  const open = tokens.findIndex((t) => isSpecial(t, '<'));
  if (open >= 0) {
    let close = tokens.findIndex((t, i) => i > open && isSpecial(t, '>'));
    if (close < 0) close = tokens.length;
    let inner = tokens.slice(open + 1, close);
    let route: string | null = null;
    const colon = inner.findIndex((t) => isSpecial(t, ':'));
    if (colon >= 0 && isSpecial(inner[0], '@')) {
      route = inner.slice(0, colon).map((t) => t.text).join('');
      inner = inner.slice(colon + 1);
    }
    const name = phrase(tokens.slice(0, open));
    const spec = addrSpec(inner);
    if (spec.mailbox === '' && spec.host === null && name === '') return null;
    return { name: name === '' ? null : name, route, mailbox: spec.mailbox, host: spec.host ?? MISSING_DOMAIN };
  }
  const spec = addrSpec(tokens);
  if (spec.mailbox === '' && spec.host === null) return null;
  const comment = tokens.findLast((t) => t.kind === 'comment' && t.text !== '');
  return { name: comment?.text ?? null, route: null, mailbox: spec.mailbox, host: spec.host ?? MISSING_DOMAIN };
}

/** The addresses of an address-list header value, with group start and end markers. */
export function parseAddressList(value: string): Address[] {
  const out: Address[] = [];
  let current: Token[] = [];
  let angle = false;
  let inGroup = false;
  const flush = (): void => {
    const m = mailbox(current);
    if (m !== null) out.push(m);
    current = [];
  };
  for (const t of tokenize(value)) {
    if (t.kind === 'special' && !angle) {
      if (t.text === ',') {
        flush();
        continue;
      }
      if (t.text === ':' && !inGroup) {
        out.push({ name: null, route: null, mailbox: phrase(current), host: null });
        current = [];
        inGroup = true;
        continue;
      }
      if (t.text === ';' && inGroup) {
        flush();
        out.push({ name: null, route: null, mailbox: null, host: null });
        inGroup = false;
        continue;
      }
    }
    if (isSpecial(t, '<')) angle = true;
    else if (isSpecial(t, '>')) angle = false;
    current.push(t);
  }
  flush();
  if (inGroup) out.push({ name: null, route: null, mailbox: null, host: null });
  return out;
}

/** An nstring: NIL for none, else quoted (or a literal for 8-bit text, CR, LF or NUL). */
function nstring(s: string | null | undefined): string {
  return s === null || s === undefined ? 'NIL' : quoteString(s);
}

function addressList(value: string | undefined): string {
  if (value === undefined) return 'NIL';
  const addresses = parseAddressList(value);
  if (addresses.length === 0) return 'NIL';
  return `(${addresses.map((a) => `(${nstring(a.name)} ${nstring(a.route)} ${nstring(a.mailbox)} ${nstring(a.host)})`).join('')})`;
}

/** The unfolded value of the first `name` field of `header` (upper-case name), or undefined. */
function field(header: string, name: string): string | undefined {
  const f = headerFields(header).find((x) => x.name === name);
  return f === undefined ? undefined : f.text.slice(f.text.indexOf(':') + 1).replace(/\r?\n/g, '').trim();
}

/**
 * ENVELOPE of a message header (its bytes as UTF-8): date, subject, from, sender, reply-to, to, cc, bcc,
 * in-reply-to, message-id. A field absent is NIL, present but empty `""`; Sender and Reply-To absent or
 * empty are From (RFC 3501 §7.4.2).
 */
export function envelopeOf(header: string): string {
  const get = (name: string): string | undefined => field(header, name);
  const from = addressList(get('FROM'));
  const orFrom = (list: string): string => (list === 'NIL' ? from : list);
  return `(${nstring(get('DATE'))} ${nstring(get('SUBJECT'))} ${from} ${orFrom(addressList(get('SENDER')))} ${orFrom(addressList(get('REPLY-TO')))} ${addressList(get('TO'))} ${addressList(get('CC'))} ${addressList(get('BCC'))} ${nstring(get('IN-REPLY-TO'))} ${nstring(get('MESSAGE-ID'))})`;
}
