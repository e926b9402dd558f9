/**
 * XML templates: XHTML with `t:render`, `<t:slot>`, `<t:attr>` and `<t:transparent>` from the template
 * namespace, parsed (with saxes) into `Tag`s, as Twisted's `XMLString`.
 * @module
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { TemplateSyntaxError } from './errors.js';
import type { Flattenable, ITemplateLoader, SourceLocation } from './interfaces.js';
import { CDATA, Comment, Slot, Tag } from './tag.js';

/** Torsion's template namespace: `xmlns:t="urn:torsion:template"`. */
export const TEMPLATE_NAMESPACE = 'urn:torsion:template';
/** Twisted's, accepted too, so Twisted templates load unchanged. */
export const TWISTED_TEMPLATE_NAMESPACE = 'http://twistedmatrix.com/ns/twisted.web.template/0.1';

const TEMPLATE_NAMESPACES: ReadonlySet<string> = new Set([TEMPLATE_NAMESPACE, TWISTED_TEMPLATE_NAMESPACE]);
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/**
 * HTML entities XML does not define, accepted in templates as a convenience (`&#160;` always works).
 */
const HTML_ENTITIES: Record<string, string> = {
  nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae', trade: '\u2122', mdash: '\u2014', ndash: '\u2013',
  hellip: '\u2026', laquo: '\u00ab', raquo: '\u00bb', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c',
  rdquo: '\u201d', bull: '\u2022', middot: '\u00b7', times: '\u00d7', divide: '\u00f7', euro: '\u20ac',
  pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', sect: '\u00a7', para: '\u00b6', deg: '\u00b0',
  plusmn: '\u00b1', frac12: '\u00bd', frac14: '\u00bc', frac34: '\u00be', micro: '\u00b5', larr: '\u2190',
  rarr: '\u2192', uarr: '\u2191', darr: '\u2193', harr: '\u2194', hearts: '\u2665', zwnj: '\u200c',
  zwj: '\u200d', shy: '\u00ad', iexcl: '\u00a1', iquest: '\u00bf', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
};

interface Open {
  /** The node being built: a tag, or the holder of a `<t:attr>` value. */
  tag: Tag;
  /** For `<t:attr>`: the attribute it sets on the enclosing tag. */
  attrName: string | null;
  /** For `<t:slot>`: the slot, which takes no children. */
  slot: Slot | null;
}

function appendChild(children: Flattenable[], child: Flattenable): void {
  const last = children.length - 1;
  if (typeof child === 'string' && last >= 0 && typeof children[last] === 'string') children[last] += child;
  else children.push(child);
}

/**
 * Parses a template into its top-level nodes. Throws {@link TemplateSyntaxError} naming `filename`, line
 * and column for XML that is not well-formed and for misuse of the template namespace.
 */
export function parseTemplate(source: string, filename = '<template>'): Flattenable[] {
  const parser = new SaxesParser({ xmlns: true, position: true });
  Object.assign(parser.ENTITIES, HTML_ENTITIES);
  const top: Flattenable[] = [];
  const open: Open[] = [];
  let startLine = 1;
  let startColumn = 1;
  const fail = (reason: string, line = parser.line, column = parser.column + 1): never => {
    throw new TemplateSyntaxError(reason, filename, line, column);
  };
  const here = (): SourceLocation => ({ filename, line: startLine, column: startColumn });
  const childrenOf = (): Flattenable[] | null => {
    if (open.length === 0) return null;
    const o = open[open.length - 1];
    if (o.slot !== null) return null;
    return o.tag.children;
  };

  parser.on('error', (e) => fail(e.message.replace(/^\d+:\d+: /, '')));
  parser.on('opentagstart', (node) => {
    startLine = parser.line;
    // The parser stands after the name and the character that ended it; the tag began at its '<'.
    startColumn = parser.column - node.name.length - 1;
  });
  parser.on('opentag', (node: SaxesTagNS) => {
    if (open.length > 0 && open[open.length - 1].slot !== null) fail('<t:slot> takes no content', startLine, startColumn);
    if (TEMPLATE_NAMESPACES.has(node.uri)) {
      open.push(directive(node));
      return;
    }
    const tag = new Tag(node.name);
    tag.location = here();
    for (const key in node.attributes) {
      const a = node.attributes[key];
      if (TEMPLATE_NAMESPACES.has(a.uri)) {
        if (a.local !== 'render') fail(`unknown template attribute ${a.name}`, startLine, startColumn);
        tag.render = a.value;
      } else if (a.uri === XMLNS_NAMESPACE && TEMPLATE_NAMESPACES.has(a.value)) {
        // The template namespace's declaration never reaches the output.
      } else {
        tag.attributes[a.name] = a.value;
      }
    }
    open.push({ tag, attrName: null, slot: null });
  });
  parser.on('closetag', () => {
    const o = open.pop()!;
    const parent = open.length > 0 ? open[open.length - 1] : null;
    if (o.attrName !== null) {
      if (parent === null || parent.tag.tagName === '' || parent.attrName !== null) fail('<t:attr> must be inside an element');
      parent!.tag.attributes[o.attrName] = o.tag.children.length === 1 ? o.tag.children[0] : o.tag;
      return;
    }
    const node: Flattenable = o.slot ?? o.tag;
    if (parent === null) top.push(node);
    else appendChild(parent.tag.children, node);
  });
  parser.on('text', (text) => {
    const children = childrenOf();
    if (children !== null) appendChild(children, text);
    else if (open.length > 0 && text.trim() !== '') fail('<t:slot> takes no content');
  });
  parser.on('cdata', (data) => childrenOf()?.push(new CDATA(data)));
  parser.on('comment', (data) => (childrenOf() ?? (open.length === 0 ? top : null))?.push(new Comment(data)));

  function directive(node: SaxesTagNS): Open {
    const attr = (name: string): string | undefined => {
      for (const key in node.attributes) {
        const a = node.attributes[key];
        if (a.local === name && (a.uri === '' || TEMPLATE_NAMESPACES.has(a.uri))) return a.value;
      }
      return undefined;
    };
    switch (node.local) {
      case 'slot': {
        const name = attr('name');
        if (name === undefined) fail('<t:slot> needs a name attribute', startLine, startColumn);
        const s = new Slot(name!, attr('default'));
        s.location = here();
        return { tag: new Tag(''), attrName: null, slot: s };
      }
      case 'attr': {
        const name = attr('name');
        if (name === undefined) fail('<t:attr> needs a name attribute', startLine, startColumn);
        const holder = new Tag('');
        holder.location = here();
        return { tag: holder, attrName: name!, slot: null };
      }
      case 'transparent': {
        const t = new Tag('');
        t.location = here();
        t.render = attr('render') ?? null;
        return { tag: t, attrName: null, slot: null };
      }
      default:
        return fail(`unknown template element <${node.name}>`, startLine, startColumn);
    }
  }

  parser.write(source).close();
  // Shared by every render: frozen, so nothing can change it and copies can share it.
  for (const node of top) if (node instanceof Tag) node.freeze();
  return Object.freeze(top) as Flattenable[];
}

/** Options of {@link XMLString}. */
export interface XMLStringOptions {
  /** The name error messages and tag locations use; defaults to `<xmlstring>`. */
  filename?: string;
}

/**
 * A loader for a template in a string, parsed at once (a syntax error throws here, not at render time).
 *
 * @example
 * const loader = XMLString('<p xmlns:t="urn:torsion:template">Hello, <t:slot name="who"/>!</p>');
 */
export function XMLString(source: string, options: XMLStringOptions = {}): ITemplateLoader {
  const nodes = parseTemplate(source, options.filename ?? '<xmlstring>');
  return { load: () => nodes };
}
