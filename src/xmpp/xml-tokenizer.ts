/**
 * An incremental tokenizer for RFC 6120 §11's restricted XML: start tags (with raw attributes), end tags,
 * text and CDATA, the five predefined entities and character references, an XML declaration at the very
 * start. A DTD, comment or processing instruction is a `restricted-xml` stream error; anything else
 * malformed is `not-well-formed`. Input arrives as decoded text split anywhere; markup cut by a chunk
 * boundary waits in a list of parts that is joined once its end has arrived, so a tag dripped one
 * character at a time costs linear, not quadratic, time. Namespaces are left to the caller. Browser-safe.
 * @module
 */
import { XMPPStreamError } from './errors.js';

/** What the tokenizer reports; `position` (characters read, markup included) is at the token's end during each call. */
export interface XMLTokenHandlers {
  /** A start tag; `attributes` alternates qualified names and decoded values. */
  openTag(qname: string, attributes: string[], selfClosing: boolean): void;
  /** An end tag (also after a self-closing start tag), already matched against its start tag. */
  closeTag(qname: string): void;
  /** Character data inside the root element, entities decoded and line ends normalized. */
  text(text: string): void;
}

const START_CHARS = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHARS = `${START_CHARS}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/* eslint-disable no-misleading-character-class -- XML's name characters include the combining marks U+0300-U+036F on purpose */
const NAME = new RegExp(`^[${START_CHARS}][${NAME_CHARS}]*$`, 'u');
const NAME_CHAR = new RegExp(`[${NAME_CHARS}]`, 'u');
/** The start of a name cut by a chunk's end (possibly empty). */
const PARTIAL_NAME = new RegExp(`^(?:[${START_CHARS}][${NAME_CHARS}]*)?$`, 'u');
/** What an end tag still waiting for its ">" may hold; anything else is refused at once. */
const PARTIAL_END_TAG = new RegExp(`^(?:[${START_CHARS}][${NAME_CHARS}]*)?[ \\t\\r\\n]*$`, 'u');
/* eslint-enable no-misleading-character-class */
// eslint-disable-next-line no-control-regex -- finding the control characters XML 1.0 forbids is the point
const DISALLOWED = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const XML_DECL = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:'1\.[0-9]+'|"1\.[0-9]+")(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:'[A-Za-z][A-Za-z0-9._-]*'|"[A-Za-z][A-Za-z0-9._-]*"))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:'(?:yes|no)'|"(?:yes|no)"))?[ \t\r\n]*\?>$/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** No entity or character reference of restricted XML is longer (`&#x10FFFF;` with generous leading zeros); a longer one is malformed rather than buffered. */
const MAX_REFERENCE = 32;


/** A processing instruction target longer than this is refused without waiting for its end. */
const MAX_PI_TARGET = 64;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const CR = 0x0d;
const AMP = 0x26;

/** What an unfinished piece of markup waits for. */
const enum Wait {
  Nothing,
  TagEnd,
  EndTagEnd,
  CDATAEnd,
  DeclEnd,
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === CR;
}

function malformed(why: string): never {
  throw new XMPPStreamError('not-well-formed', why);
}

function restricted(what: string): never {
  throw new XMPPStreamError('restricted-xml', `${what} is not allowed in an XML stream (RFC 6120 §11.1)`);
}

/** Set by {@link nameEnd}: the name it scanned is an ASCII name (see {@link isAsciiName}), so needs no other check. */
let scannedAsciiName = false;

/**
 * Where a name starting at `from` ends: at whitespace, or a character that may follow a name in a tag. The
 * same pass tells whether the name is ASCII ({@link scannedAsciiName}), the common case, so most names are
 * read once.
 */
function nameEnd(buf: string, from: number): number {
  let p = from;
  const n = buf.length;
  let ascii = true;
  while (p < n) {
    const c = buf.charCodeAt(p);
    if (c === GT || c === SLASH || c === EQ || isSpace(c)) break;
    if (c === LT || c === QUOT || c === APOS) malformed('a name with "<" or a quote');
    if (ascii) {
      const lower = c | 0x20;
      ascii = (lower >= 0x61 && lower <= 0x7a) || c === 0x5f || c === 0x3a || (p > from && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e));
    }
    p++;
  }
  scannedAsciiName = ascii && p > from;
  return p;
}

/** True for an ASCII name (letters, "_" or ":" first; then also digits, "-" and "."): the common case, checked without the Unicode regular expression. */
function isAsciiName(name: string): boolean {
  const first = name.charCodeAt(0) | 0x20;
  if (!((first >= 0x61 && first <= 0x7a) || name.charCodeAt(0) === 0x5f || name.charCodeAt(0) === 0x3a)) return false;
  for (let k = 1; k < name.length; k++) {
    const c = name.charCodeAt(k);
    const lower = c | 0x20;
    if (!((lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x3a) || c === 0x5f || c === 0x2d || c === 0x2e)) return false;
  }
  return true;
}

function checkName(name: string): string {
  if (!isAsciiName(name) && !NAME.test(name)) malformed(`invalid name ${JSON.stringify(name.slice(0, 40))}`);
  return name;
}

function decodeReference(ref: string): string {
  const predefined = PREDEFINED[ref];
  if (predefined !== undefined) return predefined;
  let code = NaN;
  if (/^#x[0-9a-fA-F]+$/.test(ref)) code = parseInt(ref.slice(2), 16);
  else if (/^#[0-9]+$/.test(ref)) code = parseInt(ref.slice(1), 10);
  else malformed(`undefined entity &${ref.slice(0, 40)};`);
  const ok = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  if (!ok) malformed(`character reference &${ref.slice(0, 40)}; is not an XML character`);
  return String.fromCodePoint(code);
}

/** CDATA content: checked and line ends normalized, nothing decoded. */
function plain(raw: string): string {
  if (DISALLOWED.test(raw)) malformed('a character XML does not allow');
  return raw.indexOf('\r') === -1 ? raw : raw.replace(/\r\n?/g, '\n');
}

/** The first "?", "<" or ">" from `from`: where an XML declaration ends (none of them may appear inside one). */
function declarationStop(s: string, from: number): number {
  for (let p = from; p < s.length; p++) {
    const c = s.charCodeAt(p);
    if (c === 0x3f || c === 0x3c || c === 0x3e) return p;
  }
  return -1;
}

/** Text with nothing to decode or refuse: no reference, no carriage return, no character XML forbids (tab and newline are fine). */
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const TEXT_SPECIAL = /[\x00-\x08\x0B-\x1F&\uFFFE\uFFFF]/;

/** Decodes references and normalizes line ends in character data (`attribute`: also tab and newline to space, XML 1.0 §3.3.3). */
function decode(raw: string, attribute: boolean): string {
  if (!attribute && !TEXT_SPECIAL.test(raw)) return raw;
  if (DISALLOWED.test(raw)) malformed('a character XML does not allow');
  let s = raw;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (attribute) {
    if (s.indexOf('<') !== -1) malformed('"<" in an attribute value');
    if (s.indexOf('\t') !== -1 || s.indexOf('\n') !== -1) s = s.replace(/[\t\n]/g, ' ');
  }
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp);
    if (semi === -1 || semi - amp > MAX_REFERENCE) malformed('an unterminated entity reference');
    out += s.slice(from, amp) + decodeReference(s.slice(amp + 1, semi));
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

/** The incremental tokenizer of one XML stream document; after an error it must not be fed again. */
export class XMLTokenizer {
  /** Characters consumed so far (after a token, during its handler call: up to its end). */
  position = 0;
  /** True once the root element closed; later input is ignored. */
  done = false;
  #stack: string[] = [];
  #sawRoot = false;
  #declPossible = true;
  /** Text or a markup prefix too short to classify, kept for the next chunk (a few characters). */
  #rest = '';
  /** Unfinished markup, waiting for its end. */
  #parts: string[] = [];
  #partsLength = 0;
  #wait = Wait.Nothing;
  /** The quote of the attribute value a waiting start tag is cut in, or 0. */
  #quote = 0;
  #afterSpace = false;
  #tail = '';

  constructor(
    private readonly handlers: XMLTokenHandlers,
    /** The most attributes on one element, namespace declarations included; more is a `policy-violation` stream error. */
    readonly maxAttributes = Infinity,
  ) {}

  /** Characters received, consumed or still buffered. */
  get received(): number {
    return this.position + this.#rest.length + this.#partsLength;
  }

  /** Consumes a chunk of decoded text. Throws {@link XMPPStreamError} on the first violation. */
  write(chunk: string): void {
    if (this.done) return;
    let buf: string;
    if (this.#wait !== Wait.Nothing) {
      const end = this.#findEnd(chunk, 0);
      if (end < 0) {
        this.#parts.push(chunk);
        this.#partsLength += chunk.length;
        return;
      }
      this.#parts.push(chunk);
      buf = this.#parts.join('');
      this.#parts = [];
      this.#partsLength = 0;
      this.#wait = Wait.Nothing;
    } else {
      buf = this.#rest === '' ? chunk : this.#rest + chunk;
      this.#rest = '';
    }
    const consumedBefore = this.position;
    const n = buf.length;
    let i = 0;
    while (i < n && !this.done) {
      if (buf.charCodeAt(i) !== LT) {
        const lt = buf.indexOf('<', i);
        const end = lt === -1 ? this.#textEnd(buf, i) : lt;
        if (end > i) {
          this.position = consumedBefore + end;
          this.#text(buf.slice(i, end));
          i = end;
        }
        if (lt === -1) break;
        continue;
      }
      const next = this.#markup(buf, i, consumedBefore);
      if (next < 0) break;
      i = next;
    }
    this.position = consumedBefore + i;
    if (i < n && !this.done && this.#wait === Wait.Nothing) this.#rest = buf.slice(i);
  }

  /** Where the text from `i` may safely end when no `<` follows: a partial reference, `\r` or `]]` waits for more. */
  #textEnd(buf: string, i: number): number {
    const n = buf.length;
    const amp = buf.lastIndexOf('&');
    if (amp >= i && buf.indexOf(';', amp) === -1) {
      if (n - amp > MAX_REFERENCE) malformed('an unterminated entity reference');
      return amp;
    }
    let end = n;
    if (end > i && buf.charCodeAt(end - 1) === CR) end--;
    for (let k = 0; k < 2 && end > i && buf.charCodeAt(end - 1) === 0x5d; k++) end--;
    return end;
  }

  #text(raw: string): void {
    if (this.#stack.length === 0) {
      if (!/^[ \t\r\n]*$/.test(raw)) malformed('text outside the root element');
      this.#declPossible = false;
      return;
    }
    if (raw.indexOf(']]>') !== -1) malformed('"]]>" in character data');
    this.handlers.text(decode(raw, false));
  }

  /** Handles the markup at `buf[i] === '<'`; returns the index after it, or -1 when it is unfinished (then kept). */
  #markup(buf: string, i: number, base: number): number {
    const n = buf.length;
    if (i + 1 >= n) return this.#keepShort(buf, i);
    const c = buf.charCodeAt(i + 1);
    if (c === 0x21) {
      // <!
      if (i + 2 >= n) return this.#keepShort(buf, i);
      const c2 = buf.charCodeAt(i + 2);
      if (c2 === 0x2d) {
        if (i + 3 >= n) return this.#keepShort(buf, i);
        if (buf.charCodeAt(i + 3) === 0x2d) restricted('a comment');
        malformed('malformed markup after "<!-"');
      }
      if (c2 === 0x5b) {
        if (n - i < 9) {
          if (!'<![CDATA['.startsWith(buf.slice(i))) malformed('malformed markup after "<!["');
          return this.#keepShort(buf, i);
        }
        if (!buf.startsWith('<![CDATA[', i)) malformed('malformed markup after "<!["');
        if (this.#stack.length === 0) malformed('CDATA outside the root element');
        const close = buf.indexOf(']]>', i + 9);
        if (close === -1) {
          if (DISALLOWED.test(buf.slice(i + 9))) malformed('a character XML does not allow');
          return this.#keepWaiting(buf, i, Wait.CDATAEnd, i + 9);
        }
        this.position = base + close + 3;
        this.handlers.text(plain(buf.slice(i + 9, close)));
        return close + 3;
      }
      if (n - i < 9 && '<!DOCTYPE'.startsWith(buf.slice(i))) return this.#keepShort(buf, i);
      if (buf.startsWith('<!DOCTYPE', i)) {
        if (this.#sawRoot) malformed('a DOCTYPE inside the document');
        restricted('a DTD');
      }
      malformed('malformed markup after "<!"');
    }
    if (c === 0x3f) {
      // <?
      if (n - i < 6 && '<?xml '.startsWith(buf.slice(i))) return this.#keepShort(buf, i);
      const target = buf.slice(i + 2, i + 5);
      if (target === 'xml' && isSpace(buf.charCodeAt(i + 5))) {
        if (!this.#declPossible || i + base !== 0) malformed('an XML declaration must be at the start of the document');
        const close = declarationStop(buf, i + 5);
        if (close === -1) return this.#keepWaiting(buf, i, Wait.DeclEnd, i + 5);
        if (close + 1 >= buf.length) return this.#keepShort(buf, i);
        if (!XML_DECL.test(buf.slice(i, close + 2))) malformed('a malformed XML declaration');
        this.#declPossible = false;
        return close + 2;
      }
      return this.#processingInstruction(buf, i);
    }
    this.#declPossible = false;
    if (c === SLASH) {
      const close = buf.indexOf('>', i + 2);
      if (close === -1) {
        if (!PARTIAL_END_TAG.test(buf.slice(i + 2))) malformed('a malformed end tag');
        return this.#keepWaiting(buf, i, Wait.EndTagEnd, i + 2);
      }
      let end = close;
      while (end > i + 2 && isSpace(buf.charCodeAt(end - 1))) end--;
      const qname = buf.slice(i + 2, end);
      const open = this.#stack.pop();
      if (open === undefined) malformed(`unexpected end tag </${qname.slice(0, 40)}>`);
      if (open !== qname) malformed(`end tag </${qname.slice(0, 40)}> does not match <${open}>`);
      this.position = base + close + 1;
      this.#closed(qname);
      return close + 1;
    }
    return this.#startTag(buf, i, base);
  }

  #closed(qname: string): void {
    if (this.#stack.length === 0) this.done = true;
    this.handlers.closeTag(qname);
  }

  #startTag(buf: string, i: number, base: number): number {
    const n = buf.length;
    let p = nameEnd(buf, i + 1);
    if (p >= n) return this.#keepTag(buf, i, i + 1, 0);
    const qname = buf.slice(i + 1, p);
    if (!scannedAsciiName) checkName(qname);
    const attributes: string[] = [];
    for (;;) {
      const spaced = p < n && isSpace(buf.charCodeAt(p));
      while (p < n && isSpace(buf.charCodeAt(p))) p++;
      if (p >= n) return this.#keepTag(buf, i, p, 0);
      const c = buf.charCodeAt(p);
      if (c === GT || c === SLASH) {
        if (c === SLASH) {
          if (p + 1 >= n) return this.#keepTag(buf, i, n, 0);
          if (buf.charCodeAt(p + 1) !== GT) malformed('"/" in a start tag not followed by ">"');
          p++;
        }
        for (let a = 2; a < attributes.length; a += 2) {
          for (let b = 0; b < a; b += 2) if (attributes[b] === attributes[a]) malformed(`duplicate attribute ${attributes[a]!.slice(0, 40)}`);
        }
        this.#sawRoot = true;
        this.#stack.push(qname);
        this.position = base + p + 1;
        this.handlers.openTag(qname, attributes, c === SLASH);
        if (c === SLASH && !this.done) {
          this.#stack.pop();
          this.#closed(qname);
        }
        return p + 1;
      }
      if (!spaced) malformed('no whitespace between attributes');
      const nameStart = p;
      p = nameEnd(buf, p);
      if (p >= n) return this.#keepTag(buf, i, nameStart, 0);
      const name = buf.slice(nameStart, p);
      if (!scannedAsciiName) checkName(name);
      while (p < n && isSpace(buf.charCodeAt(p))) p++;
      if (p >= n) return this.#keepTag(buf, i, p, 0);
      if (buf.charCodeAt(p) !== EQ) malformed('an attribute without a value');
      p++;
      while (p < n && isSpace(buf.charCodeAt(p))) p++;
      if (p >= n) return this.#keepTag(buf, i, p, 0);
      const q = buf.charCodeAt(p);
      if (q !== QUOT && q !== APOS) malformed('an unquoted attribute value');
      // One pass to the closing quote, noting what only decode's slower path handles: a reference, "<", and
      // the control characters (tab, line ends to normalize, and those XML forbids), or U+FFFE/U+FFFF.
      let close = p + 1;
      let special = false;
      for (; close < n; close++) {
        const v = buf.charCodeAt(close);
        if (v === q) break;
        if (v < 0x20 || v === LT || v === AMP || v >= 0xfffe) special = true;
      }
      if (close >= n) {
        const partial = buf.slice(p + 1);
        if (partial.indexOf('<') !== -1) malformed('"<" in an attribute value');
        if (DISALLOWED.test(partial)) malformed('a character XML does not allow');
        return this.#keepTag(buf, i, n, q);
      }
      const raw = buf.slice(p + 1, close);
      attributes.push(name, special ? decode(raw, true) : raw);
      if (attributes.length / 2 > this.maxAttributes) throw new XMPPStreamError('policy-violation', `an element has more than ${this.maxAttributes} attributes`);
      p = close + 1;
    }
  }

  /**
   * Keeps a start tag cut by the chunk's end. It is parsed again from its "<" only when a chunk brings
   * something other than name characters and whitespace (or, inside a value, its closing quote), so a tag
   * dripped in costs a few parses per attribute, and attributes are bounded.
   */
  #keepTag(buf: string, i: number, partialNameFrom: number, quote: number): number {
    if (quote === 0 && !PARTIAL_NAME.test(buf.slice(partialNameFrom))) malformed(`invalid name ${JSON.stringify(buf.slice(partialNameFrom, partialNameFrom + 40))}`);
    this.#wait = Wait.TagEnd;
    this.#quote = quote;
    this.#parts = [buf.slice(i)];
    this.#partsLength = buf.length - i;
    return -1;
  }

  /** A processing instruction is refused once its target is known: a named one is restricted XML, a nameless one malformed. */
  #processingInstruction(buf: string, i: number): number {
    const n = buf.length;
    let p = i + 2;
    while (p < n && p - i < MAX_PI_TARGET) {
      const c = buf.charCodeAt(p);
      if (!(c >= 0xd800 && c <= 0xdfff) && !NAME_CHAR.test(buf[p]!)) break;
      p++;
    }
    if (p >= n && p - i < MAX_PI_TARGET) return this.#keepShort(buf, i);
    const target = buf.slice(i + 2, p);
    const c = buf.charCodeAt(p);
    if (p - i < MAX_PI_TARGET && NAME.test(target) && !target.includes(':') && (isSpace(c) || c === 0x3f)) {
      if (target.toLowerCase() === 'xml') malformed('an XML declaration must be at the start of the document');
      restricted('a processing instruction');
    }
    malformed('a malformed processing instruction');
  }

  /** Keeps a markup prefix too short to tell what it is. */
  #keepShort(buf: string, i: number): number {
    this.#rest = buf.slice(i);
    return -1;
  }

  /** Keeps unfinished markup from `i`, having scanned from `scanFrom` for its end. */
  #keepWaiting(buf: string, i: number, wait: Wait, scanFrom: number): number {
    this.#wait = wait;
    this.#afterSpace = false;
    this.#tail = '';
    if (this.#findEnd(buf, scanFrom) >= 0) malformed('markup that ends where it cannot');
    this.#parts = [buf.slice(i)];
    this.#partsLength = buf.length - i;
    return -1;
  }

  /** Scans for the end of the awaited markup in `s` from `from`, carrying state across chunks; returns the index after it or -1. */
  #findEnd(s: string, from: number): number {
    if (this.#wait === Wait.EndTagEnd) {
      // Mirrors PARTIAL_END_TAG: a name, then only whitespace, then ">".
      for (let p = from; p < s.length; p++) {
        const c = s.charCodeAt(p);
        if (isSpace(c)) this.#afterSpace = true;
        else if (c === GT || this.#afterSpace || (!(c >= 0xd800 && c <= 0xdfff) && !NAME_CHAR.test(s[p]!))) return p + 1;
      }
      return -1;
    }
    if (this.#wait === Wait.TagEnd) {
      const rest = from === 0 ? s : s.slice(from);
      if (this.#quote !== 0) return rest.indexOf(this.#quote === QUOT ? '"' : "'") !== -1 || rest.indexOf('<') !== -1 || DISALLOWED.test(rest) ? 0 : -1;
      for (let p = 0; p < rest.length; p++) {
        const c = rest.charCodeAt(p);
        if (!isSpace(c) && !(c >= 0xd800 && c <= 0xdfff) && !NAME_CHAR.test(rest[p]!)) return 0;
      }
      return -1;
    }
    if (this.#wait === Wait.DeclEnd) {
      const stop = declarationStop(s, from);
      return stop === -1 ? -1 : stop + 1;
    }
    const terminator = ']]>';
    const joined = this.#tail + s.slice(from);
    const at = joined.indexOf(terminator);
    if (at !== -1) return from + at - this.#tail.length + terminator.length;
    // A character XML does not allow ends the wait: the section is parsed, and refused, at once.
    if (DISALLOWED.test(from === 0 ? s : s.slice(from))) return s.length;
    this.#tail = joined.slice(-(terminator.length - 1));
    return -1;
  }
}
