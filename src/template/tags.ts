/**
 * Stan: `tags.div(...)`, `tags.li(...)`... build `Tag`s in code (Nevow's `stan`, Twisted's `tags`).
 * @module
 */
import type { Attributes, Flattenable } from './interfaces.js';
import { HTML_TAG_NAMES, type HtmlTagName } from './names.js';
import { isPlainObject, Tag } from './tag.js';

/**
 * Makes a tag: a first argument that is an object literal gives the attributes (its `render` key names
 * the renderer), every other argument is a child.
 */
export type TagFactory = (...args: Flattenable[] | [Attributes, ...Flattenable[]]) => Tag;

/**
 * Builds a tag named `name` from factory-style arguments; also the way to make tags `tags` does not
 * list (custom elements, SVG children).
 *
 * @example
 * tag('my-widget', { 'data-id': 7 }, 'content')
 */
export function tag(name: string, ...args: Flattenable[] | [Attributes, ...Flattenable[]]): Tag {
  return build(name, args);
}

function build(name: string, args: readonly unknown[]): Tag {
  const t = new Tag(name);
  let i = 0;
  const n = args.length;
  if (n > 0) {
    const first = args[0];
    if (isPlainObject(first)) {
      t.setAttributes(first);
      i = 1;
    }
  }
  const children = t.children;
  for (; i < n; i++) children.push(args[i] as Flattenable);
  return t;
}

function factory(name: string): TagFactory {
  return (...args) => build(name, args);
}

/**
 * One factory per HTML element.
 *
 * @example
 * tags.ul({ class: 'people' }, people.map((p) => tags.li(p.name)))
 */
export const tags: { readonly [K in HtmlTagName]: TagFactory } = Object.freeze(
  Object.fromEntries(HTML_TAG_NAMES.map((name) => [name, factory(name)])) as { [K in HtmlTagName]: TagFactory },
);
