/**
 * The XML stream parser, sans-I/O: bytes in, a stream header, stanzas (top-level `Element`s) and a stream
 * end out. Torsion's own tokenizer (`xml-tokenizer.ts`) reads RFC 6120 §11's restricted XML: a DTD, comment
 * or processing instruction is a `restricted-xml` stream error, an entity other than the five predefined is
 * `not-well-formed` (none is ever expanded, so billion-laughs and quadratic-blowup documents are refused at
 * their DOCTYPE, before any entity could be defined); this file resolves namespaces and bounds stanza size,
 * depth and attribute count (`policy-violation`). Browser-safe.
 * @module
 */
import { Element } from './element.js';
import { XMPPStreamError } from './errors.js';
import { XMPP_LIMITS, type XMPPLimits } from './limits.js';
import { NS } from './namespaces.js';
import { XMLTokenizer } from './xml-tokenizer.js';

/** What the parser reports. */
export interface XMLStreamHandlers {
  /** The `<stream:stream>` header, as an element without children. */
  streamStart(header: Element): void;
  /** A complete top-level element (stanza, features, SASL or TLS negotiation element). */
  element(stanza: Element): void;
  /** `</stream:stream>`. */
  streamEnd(): void;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

function notWellFormed(why: string): never {
  throw new XMPPStreamError('not-well-formed', why);
}

/**
 * Parses one XML stream; after a stream restart (STARTTLS, SASL success) call `reset()`. Errors are thrown
 * from `feed` as {@link XMPPStreamError}; after one the parser refuses more input.
 *
 * @example
 * const parser = new XMLStreamParser({ streamStart: (h) => ..., element: (e) => ..., streamEnd: () => ... });
 * parser.feed(bytes);
 */
export class XMLStreamParser {
  #tokenizer!: XMLTokenizer;
  #decoder = new TextDecoder('utf-8', { fatal: true });
  #stack: Element[] = [];
  /** The namespace of each element on the stack. */
  #uris: string[] = [];
  /**
   * The prefixes declared by the open elements, as prefix and namespace pairs, innermost last; `#marks` holds
   * where each open element's own declarations start, and `#defaults` each one's default namespace. Flat
   * arrays rather than a chain of scope objects: making objects into prototypes costs V8 more than the scan.
   */
  #prefixes: string[] = [];
  #marks: number[] = [];
  #defaults: string[] = [];
  #root: Element | undefined;
  #mark = 0;
  #failed: XMPPStreamError | undefined;
  #ended = false;
  readonly limits: Pick<XMPPLimits, 'maxStanzaSize' | 'maxDepth' | 'maxAttributes'>;

  constructor(
    private readonly handlers: XMLStreamHandlers,
    limits: Partial<Pick<XMPPLimits, 'maxStanzaSize' | 'maxDepth' | 'maxAttributes'>> = {},
  ) {
    this.limits = { maxStanzaSize: limits.maxStanzaSize ?? XMPP_LIMITS.maxStanzaSize, maxDepth: limits.maxDepth ?? XMPP_LIMITS.maxDepth, maxAttributes: limits.maxAttributes ?? XMPP_LIMITS.maxAttributes };
    this.reset();
  }

  /** Starts a new stream (after STARTTLS or SASL success): the next input must open a stream again. */
  reset(): void {
    this.#tokenizer = new XMLTokenizer({
      openTag: (qname, attributes) => this.#open(qname, attributes),
      closeTag: () => this.#close(),
      text: (text) => this.#text(text),
    }, this.limits.maxAttributes);
    this.#decoder = new TextDecoder('utf-8', { fatal: true });
    this.#stack = [];
    this.#uris = [];
    this.#prefixes = [];
    this.#marks = [];
    this.#defaults = [''];
    this.#root = undefined;
    this.#mark = 0;
    this.#ended = false;
  }

  /** True once the stream header was read. */
  get started(): boolean {
    return this.#root !== undefined;
  }

  /** Parses a chunk of bytes (or already decoded text). Throws {@link XMPPStreamError} on the first violation. */
  feed(data: Uint8Array | string): void {
    if (this.#failed) throw this.#failed;
    if (this.#ended) return;
    let text: string;
    try {
      text = typeof data === 'string' ? data : this.#decoder.decode(data, { stream: true });
    } catch {
      this.#fail(new XMPPStreamError('not-well-formed', 'the stream is not valid UTF-8'));
    }
    try {
      this.#tokenizer.write(text);
      if (!this.#ended) this.#checkSize(this.#tokenizer.received);
    } catch (e) {
      this.#fail(e instanceof XMPPStreamError ? e : new XMPPStreamError('not-well-formed', String(e)));
    }
  }

  #fail(e: XMPPStreamError): never {
    this.#failed = e;
    throw e;
  }

  /** Characters since the last stanza ended (or the header), markup and unfinished input included. */
  #checkSize(position: number): void {
    if (position - this.#mark > this.limits.maxStanzaSize) {
      throw new XMPPStreamError('policy-violation', `a stanza is longer than ${this.limits.maxStanzaSize} characters`);
    }
  }

  #open(qname: string, raw: string[]): void {
    this.#checkSize(this.#tokenizer.position);
    const mark = this.#prefixes.length;
    let defaultUri = this.#defaults[this.#defaults.length - 1]!;
    const colon = qname.indexOf(':');
    const e = new Element(colon === -1 ? qname : qname.slice(colon + 1));
    const attrs = e.attributes;
    let prefixed = false;
    for (let a = 0; a < raw.length; a += 2) {
      const name = raw[a]!;
      if (name.charCodeAt(0) !== 0x78 || !name.startsWith('xmlns') || (name.length > 5 && name.charCodeAt(5) !== 0x3a)) {
        attrs[name] = raw[a + 1]!;
        if (!prefixed && name.indexOf(':') !== -1) prefixed = true;
        continue;
      }
      // Surrounding whitespace is not part of a namespace name (as saxes, the parser before this one, read it).
      const value = raw[a + 1]!.trim();
      const prefix = declaration(name, value);
      if (prefix === '') defaultUri = value;
      else this.#prefixes.push(prefix, value);
    }
    if (prefixed) {
      for (const name of Object.keys(attrs)) {
        const at = name.indexOf(':');
        if (at !== -1) this.#resolve(name, at);
      }
    }
    let uri: string;
    if (colon === -1) uri = defaultUri;
    else if (qname.startsWith('xmlns:')) notWellFormed('an element cannot have the prefix xmlns');
    else uri = this.#resolve(qname, colon);
    e.uri = uri;
    if (this.#root === undefined) {
      if (e.name !== 'stream' || uri !== NS.STREAMS) throw new XMPPStreamError('invalid-namespace', `a stream must open with <stream:stream>, not <${qname}>`);
      this.#root = e;
      this.#marks.push(mark);
      this.#defaults.push(defaultUri);
      this.#mark = this.#tokenizer.position;
      this.handlers.streamStart(e);
      return;
    }
    const depth = this.#stack.length;
    if (depth + 1 > this.limits.maxDepth) throw new XMPPStreamError('policy-violation', `elements nest deeper than ${this.limits.maxDepth}`);
    if (depth > 0) {
      this.#stack[depth - 1]!.addElement(e);
      if (uri === this.#uris[depth - 1]) e.uri = '';
    }
    this.#stack.push(e);
    this.#uris.push(uri);
    this.#marks.push(mark);
    this.#defaults.push(defaultUri);
  }

  /** The namespace of a prefixed name (`prefix:local`); an unbound prefix or an empty part is not well-formed. */
  #resolve(qname: string, colon: number): string {
    if (colon === 0 || colon === qname.length - 1 || qname.indexOf(':', colon + 1) !== -1) notWellFormed(`malformed qualified name ${qname.slice(0, 40)}`);
    const prefixes = this.#prefixes;
    for (let k = prefixes.length - 2; k >= 0; k -= 2) {
      if (prefixes[k]!.length === colon && qname.startsWith(prefixes[k]!)) return prefixes[k + 1]!;
    }
    const prefix = qname.slice(0, colon);
    if (prefix === 'xml') return XML_NS;
    if (prefix === 'xmlns') return XMLNS_NS;
    notWellFormed(`unbound namespace prefix ${prefix.slice(0, 40)}`);
  }


  #close(): void {
    const e = this.#stack.pop();
    if (e === undefined) {
      this.#ended = true;
      this.handlers.streamEnd();
      return;
    }
    const mark = this.#marks.pop()!;
    if (this.#prefixes.length !== mark) this.#prefixes.length = mark;
    this.#defaults.pop();
    this.#uris.pop();
    if (this.#stack.length === 0) {
      this.#checkSize(this.#tokenizer.position);
      this.#mark = this.#tokenizer.position;
      this.handlers.element(e);
    }
  }

  #text(text: string): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top) {
      top.addContent(text);
      this.#checkSize(this.#tokenizer.position);
    } else if (/[^ \t\r\n]/.test(text)) throw new XMPPStreamError('not-well-formed', 'text between stanzas');
    else this.#mark = this.#tokenizer.position;
  }
}

/** Checks a namespace declaration attribute (`xmlns` or `xmlns:p`) and returns the prefix it binds ('' for the default). */
function declaration(name: string, value: string): string {
  const prefix = name === 'xmlns' ? '' : name.slice(6);
  if (name !== 'xmlns' && (prefix === '' || prefix.includes(':'))) notWellFormed(`malformed namespace declaration ${name.slice(0, 40)}`);
  if (prefix === '') {
    if (value === XML_NS || value === XMLNS_NS) notWellFormed(`the default namespace cannot be ${value}`);
  } else {
    if (value === '') notWellFormed(`the prefix ${prefix} is undeclared`);
    if (prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NS) || value === XMLNS_NS) notWellFormed(`the prefix ${prefix} cannot be bound to ${value}`);
  }
  return prefix;
}

/**
 * The stream header (`<?xml version='1.0'?><stream:stream ...>`) to write at the start of a stream. It is
 * left open: stanzas follow, and `</stream:stream>` closes it.
 */
export function streamHeader(attributes: { to?: string; from?: string; id?: string; version?: string; lang?: string }, contentNamespace: string = NS.CLIENT): string {
  const attrs = new Element('stream', NS.STREAMS, { from: attributes.from, to: attributes.to, id: attributes.id, version: attributes.version ?? '1.0', 'xml:lang': attributes.lang ?? 'en' });
  const opened = attrs.toXML().replace(/\/>$/, '>');
  return `<?xml version='1.0'?>${opened.replace('<stream:stream', `<stream:stream xmlns="${contentNamespace}" xmlns:stream="${NS.STREAMS}"`)}`;
}

/** `</stream:stream>`. */
export const STREAM_END = '</stream:stream>';

/** A stream error element (RFC 6120 §4.9) with its condition. */
export function streamErrorElement(condition: string, text?: string): Element {
  const e = new Element('error', NS.STREAMS);
  e.addElement(condition, NS.STREAM_ERRORS);
  if (text) e.addElement('text', NS.STREAM_ERRORS).addContent(text);
  return e;
}
