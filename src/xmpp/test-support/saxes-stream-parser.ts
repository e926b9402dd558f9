/**
 * The saxes-based XML stream parser Torsion used before its own tokenizer, kept only as the reference of
 * the differential fuzz test (stream-parser.differential.test.ts): same handlers, limits and stream errors.
 * @module
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { Element } from '../element.js';
import { XMPPStreamError } from '../errors.js';
import type { XMLStreamHandlers } from '../stream-parser.js';
import { XMPP_LIMITS, type XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';

/** Input is checked against the size limit at least every this many characters, so saxes never buffers much more than the limit. */
const SLICE = 4096;

/**
 * The reference parser: one XML stream parsed with saxes; errors are thrown from `feed` as
 * {@link XMPPStreamError}, and after one it refuses more input.
 */
export class SaxesStreamParser {
  #sax!: SaxesParser<{ xmlns: true }>;
  #decoder = new TextDecoder('utf-8', { fatal: true });
  #stack: Element[] = [];
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
    const sax = new SaxesParser({ xmlns: true, position: true });
    const restricted = (what: string) => () => {
      throw new XMPPStreamError('restricted-xml', `${what} is not allowed in an XML stream (RFC 6120 §11.1)`);
    };
    sax.on('doctype', restricted('a DTD'));
    sax.on('comment', restricted('a comment'));
    sax.on('processinginstruction', restricted('a processing instruction'));
    sax.on('error', (err) => {
      throw new XMPPStreamError('not-well-formed', err.message);
    });
    sax.on('opentag', (tag) => this.#open(tag));
    sax.on('closetag', () => this.#close());
    sax.on('text', (text) => this.#text(text));
    sax.on('cdata', (text) => this.#text(text));
    this.#sax = sax;
    this.#decoder = new TextDecoder('utf-8', { fatal: true });
    this.#stack = [];
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
      for (let i = 0; i < text.length && !this.#ended; i += SLICE) {
        this.#sax.write(text.slice(i, i + SLICE));
        this.#checkSize();
      }
    } catch (e) {
      this.#fail(e instanceof XMPPStreamError ? e : new XMPPStreamError('not-well-formed', String(e)));
    }
  }

  #fail(e: XMPPStreamError): never {
    this.#failed = e;
    throw e;
  }

  #checkSize(): void {
    if (this.#sax.position - this.#mark > this.limits.maxStanzaSize) {
      throw new XMPPStreamError('policy-violation', `a stanza is longer than ${this.limits.maxStanzaSize} characters`);
    }
  }

  #open(tag: SaxesTagNS): void {
    this.#checkSize();
    const attrs: Record<string, string> = {};
    let count = 0;
    for (const [qname, a] of Object.entries(tag.attributes)) {
      if (++count > this.limits.maxAttributes) throw new XMPPStreamError('policy-violation', `an element has more than ${this.limits.maxAttributes} attributes`);
      if (qname === 'xmlns' || a.prefix === 'xmlns') continue;
      attrs[qname] = a.value;
    }
    const e = new Element(tag.local, tag.uri, attrs);
    if (this.#root === undefined) {
      if (tag.local !== 'stream' || tag.uri !== NS.STREAMS) throw new XMPPStreamError('invalid-namespace', `a stream must open with <stream:stream>, not <${tag.name}>`);
      this.#root = e;
      this.#mark = this.#sax.position;
      this.handlers.streamStart(e);
      return;
    }
    if (this.#stack.length + 1 > this.limits.maxDepth) throw new XMPPStreamError('policy-violation', `elements nest deeper than ${this.limits.maxDepth}`);
    const parent = this.#stack[this.#stack.length - 1];
    if (parent) {
      parent.addElement(e);
      if (e.uri === parent.namespace) e.uri = '';
    }
    this.#stack.push(e);
  }

  #close(): void {
    const e = this.#stack.pop();
    if (e === undefined) {
      this.#ended = true;
      this.handlers.streamEnd();
      return;
    }
    if (this.#stack.length === 0) {
      this.#mark = this.#sax.position;
      this.handlers.element(e);
    }
  }

  #text(text: string): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top) top.addContent(text);
    else if (/[^ \t\r\n]/.test(text)) throw new XMPPStreamError('not-well-formed', 'text between stanzas');
  }
}
