/**
 * The element model (Twisted's `domish`): an `Element` has a local name, a namespace URI, attributes and
 * children (elements and text), builds stanzas fluently and serializes itself with the escaping XML needs.
 * Browser-safe.
 * @module
 */
import { NS } from './namespaces.js';

/** A child of an element: another element or a run of text. */
export type Node = Element | string;

/** The default of `Element`'s attributes: an element made without them (as the parser makes them) skips copying. */
const NO_ATTRIBUTES: Readonly<Record<string, string | undefined>> = Object.freeze({});

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values (all five predefined entities, so both are safe). */
export function escapeXML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => TEXT_ESCAPES[c]!);
}

/**
 * An XML element. `uri` is its namespace; serialization adds `xmlns` only where it differs from the
 * parent's, and writes stream-namespace elements with the `stream:` prefix the stream header declares.
 *
 * @example
 * const msg = new Element('message', NS.CLIENT, { to: 'juliet@example.com', type: 'chat' });
 * msg.addElement('body').addContent('Wherefore art thou?');
 * msg.toXML(); // <message xmlns="jabber:client" to="juliet@example.com" type="chat"><body>Wherefore art thou?</body></message>
 */
export class Element {
  /** The attributes by qualified name (`to`, `xml:lang`); namespace declarations are not attributes. */
  readonly attributes: Record<string, string>;
  /** Child elements and text, in order. */
  readonly children: Node[] = [];
  /** The parent, once added to one. */
  parent: Element | undefined;

  constructor(
    /** The local name (`message`, `body`). */
    readonly name: string,
    /** The namespace URI; an empty string means "the parent's". */
    public uri = '',
    attributes: Record<string, string | undefined> = NO_ATTRIBUTES,
  ) {
    this.attributes = {};
    if (attributes !== NO_ATTRIBUTES) for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.attributes[k] = v;
  }

  /** The namespace that applies: its own, or the nearest ancestor's. */
  get namespace(): string {
    return this.uri || this.parent?.namespace || '';
  }

  /** An attribute's value, or undefined. */
  getAttribute(name: string): string | undefined {
    return Object.hasOwn(this.attributes, name) ? this.attributes[name] : undefined;
  }

  /** Sets (or, with undefined, removes) an attribute; returns this for chaining. */
  setAttribute(name: string, value: string | undefined): this {
    if (value === undefined) delete this.attributes[name];
    else this.attributes[name] = value;
    return this;
  }

  /** Adds and returns a child element (a new one by name and namespace, or one given). */
  addElement(child: string | Element, uri = '', attributes: Record<string, string | undefined> = {}): Element {
    const e = typeof child === 'string' ? new Element(child, uri, attributes) : child;
    e.parent = this;
    this.children.push(e);
    return e;
  }

  /** Appends text; returns this for chaining. */
  addContent(text: string): this {
    const last = this.children.length - 1;
    if (last >= 0 && typeof this.children[last] === 'string') this.children[last] += text;
    else this.children.push(text);
    return this;
  }

  /** The child elements, optionally only those with this name (and namespace). */
  elements(name?: string, uri?: string): Element[] {
    return this.children.filter((c): c is Element => typeof c !== 'string' && (name === undefined || c.name === name) && (uri === undefined || c.namespace === uri));
  }

  /** The first child element with this name (and namespace), or undefined. */
  getChild(name: string, uri?: string): Element | undefined {
    for (const c of this.children) if (typeof c !== 'string' && c.name === name && (uri === undefined || c.namespace === uri)) return c;
    return undefined;
  }

  /** The text directly inside (children's text not included). */
  get text(): string {
    return this.children.filter((c): c is string => typeof c === 'string').join('');
  }

  /** The text of the first child with this name, or undefined. */
  getChildText(name: string, uri?: string): string | undefined {
    return this.getChild(name, uri)?.text;
  }

  /** Serializes the element; `parentNamespace` is the default namespace in scope where it is written. */
  toXML(parentNamespace = this.parent?.namespace ?? ''): string {
    const out: string[] = [];
    writeElement(this, parentNamespace, out);
    return out.join('');
  }

  /** The same as `toXML()`. */
  toString(): string {
    return this.toXML();
  }
}

function writeElement(e: Element, inScope: string, out: string[]): void {
  // No namespace of its own means the one in scope where it is written, not "none" (which would need xmlns="").
  const ns = e.uri || inScope;
  const streamPrefixed = ns === NS.STREAMS;
  const tag = streamPrefixed ? `stream:${e.name}` : e.name;
  out.push('<', tag);
  if (!streamPrefixed && ns !== inScope) out.push(' xmlns="', escapeXML(ns), '"');
  for (const [k, v] of Object.entries(e.attributes)) out.push(' ', k, '="', escapeXML(v), '"');
  if (e.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  const childScope = streamPrefixed ? inScope : ns;
  for (const c of e.children) {
    if (typeof c === 'string') out.push(escapeXML(c));
    else writeElement(c, childScope, out);
  }
  out.push('</', tag, '>');
}

/** Shorthand for `new Element(name, uri, attributes)` with children (elements or text) added in order. */
export function el(name: string, uri = '', attributes: Record<string, string | undefined> = {}, ...children: Node[]): Element {
  const e = new Element(name, uri, attributes);
  for (const c of children) {
    if (typeof c === 'string') e.addContent(c);
    else e.addElement(c);
  }
  return e;
}
