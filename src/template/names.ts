/**
 * Element and attribute names: the HTML element list behind `tags`, void elements, and the checks that
 * keep a computed name from breaking the markup around it (results are cached, so a name is checked once).
 * @module
 */
import { InvalidName } from './errors.js';
import { URL_ATTRIBUTES } from './escape.js';

/** HTML elements, as `tags` offers them. */
export const HTML_TAG_NAMES = [
  'a', 'abbr', 'address', 'area', 'article', 'aside', 'audio', 'b', 'base', 'bdi', 'bdo', 'blockquote', 'body', 'br',
  'button', 'canvas', 'caption', 'cite', 'code', 'col', 'colgroup', 'data', 'datalist', 'dd', 'del', 'details', 'dfn',
  'dialog', 'div', 'dl', 'dt', 'em', 'embed', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'head', 'header', 'hgroup', 'hr', 'html', 'i', 'iframe', 'img', 'input', 'ins', 'kbd', 'label',
  'legend', 'li', 'link', 'main', 'map', 'mark', 'menu', 'meta', 'meter', 'nav', 'noscript', 'object', 'ol',
  'optgroup', 'option', 'output', 'p', 'param', 'picture', 'pre', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp',
  'script', 'search', 'section', 'select', 'slot', 'small', 'source', 'span', 'strong', 'style', 'sub', 'summary',
  'sup', 'table', 'tbody', 'td', 'template', 'textarea', 'tfoot', 'th', 'thead', 'time', 'title', 'tr', 'track',
  'u', 'ul', 'var', 'video', 'wbr', 'svg', 'math',
] as const;

/** The name of an HTML element in {@link HTML_TAG_NAMES}. */
export type HtmlTagName = (typeof HTML_TAG_NAMES)[number];

/** Elements written as `<br />` when they have no children (Twisted's list). */
export const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'basefont', 'isindex', 'frame', 'command', 'keygen',
]);

const TAG_NAME = /^[A-Za-z][^\s"'<>/=\p{Cc}]*$/u;
const ATTRIBUTE_NAME = /^[^\s"'<>/=\p{Cc}]+$/u;
const CACHE_LIMIT = 10_000;

/** What the flattener needs to know about an element name, worked out once per name. */
export interface TagInfo {
  /** `<name` */
  readonly open: string;
  /** `</name>` */
  readonly close: string;
  /** Written as `<name />` when it has no children. */
  readonly isVoid: boolean;
}

const tagInfos = new Map<string, TagInfo>();

/** The {@link TagInfo} of `name`; throws {@link InvalidName} unless it is safe to write as an element name. */
export function tagInfo(name: string): TagInfo {
  const known = tagInfos.get(name);
  if (known !== undefined) return known;
  if (!TAG_NAME.test(name)) throw new InvalidName('tag', name);
  const info: TagInfo = { open: `<${name}`, close: `</${name}>`, isVoid: VOID_ELEMENTS.has(name) };
  if (tagInfos.size < CACHE_LIMIT) tagInfos.set(name, info);
  return info;
}

/** An ordinary attribute. */
export const PLAIN_KIND = 0;
/** An attribute holding a URL: its scheme is checked. */
export const URL_KIND = 1;

const attributeKinds = new Map<string, number>();

/** {@link PLAIN_KIND} or {@link URL_KIND}; throws {@link InvalidName} for a name that would break the markup. */
export function attributeKind(name: string): number {
  const known = attributeKinds.get(name);
  if (known !== undefined) return known;
  if (!ATTRIBUTE_NAME.test(name)) throw new InvalidName('attribute', name);
  const kind = URL_ATTRIBUTES.has(name.toLowerCase()) ? URL_KIND : PLAIN_KIND;
  if (attributeKinds.size < CACHE_LIMIT) attributeKinds.set(name, kind);
  return kind;
}
