/**
 * The nodes of a template: `Tag`, `slot`, `raw`, `Comment`, `CDATA` and `CharRef` (Twisted's
 * `twisted.web.template` names; `raw` is Nevow's `xml`).
 * @module
 */
import type { Attributes, Flattenable, SourceLocation } from './interfaces.js';

/** True for `{...}` object literals (and null-prototype objects): the attributes argument of a tag call. */
export function isPlainObject(x: unknown): x is Attributes {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** @internal The frozen tag whose compiled form `tag` may use: itself if frozen, else the one it was copied from. */
export let templateOf: (tag: Tag) => Tag | null;
/** @internal The compiled form cached on a frozen tag (`undefined` until compiled). */
export let cachedProgram: (tag: Tag) => unknown;
/** @internal Caches a compiled form on a frozen tag. */
export let cacheProgram: (tag: Tag, program: unknown) => void;
let adopt: (copy: Tag, source: Tag) => void;

/**
 * An element to be rendered: name, attributes, children, an optional renderer name and slot values.
 * A tag with an empty name is transparent: only its children are rendered.
 *
 * @example
 * const card = new Tag('div').add({ class: 'card' }, new Tag('h1').add('Hello'));
 */
export class Tag {
  /** The element name; `''` renders only the children. */
  tagName: string;
  /** Attribute values (any {@link Flattenable}, escaped when rendered). */
  attributes: Attributes;
  /** The children, in order. */
  children: Flattenable[];
  /** The name of the renderer that replaces this tag, looked up on the enclosing element. */
  render: string | null = null;
  /** Values for `slot`s inside this tag, set by {@link Tag.fillSlots}. */
  slotData: Record<string, Flattenable> | null = null;
  /** Where the tag came from, for templates loaded from XML. */
  location: SourceLocation | null = null;
  #frozen = false;
  /** The frozen tag this one was copied from (it may share its compiled form while its children match). */
  #origin: Tag | null = null;
  #program: unknown = undefined;

  static {
    templateOf = (tag) => (tag.#frozen ? tag : tag.#origin);
    cachedProgram = (tag) => tag.#program;
    cacheProgram = (tag, program) => {
      tag.#program = program;
    };
    adopt = (copy, source) => {
      copy.#origin = source.#frozen ? source : source.#origin;
    };
  }

  constructor(tagName: string, attributes: Attributes = {}, children: Flattenable[] = []) {
    this.tagName = tagName;
    this.attributes = attributes;
    this.children = children;
  }

  /**
   * Adds to the tag and returns it: the call style of Twisted's and Nevow's `tag(...)`. A first argument
   * that is an object literal is merged into the attributes (its `render` key sets the renderer); the
   * others are appended as children.
   *
   * @example
   * tags.ul({ class: 'menu' }).add(tags.li('one'), tags.li('two'));
   */
  add(...args: Flattenable[] | [Attributes, ...Flattenable[]]): this {
    let start = 0;
    if (args.length > 0 && isPlainObject(args[0])) {
      this.setAttributes(args[0]);
      start = 1;
    }
    for (let i = start; i < args.length; i++) this.children.push(args[i] as Flattenable);
    return this;
  }

  /** Merges `attributes` into this tag's; the key `render` names the renderer instead. */
  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      const value = attributes[key];
      if (key === 'render') this.render = value === null || value === undefined ? null : String(value);
      else this.attributes[key] = value;
    }
    return this;
  }

  /**
   * Gives values to the `slot`s inside this tag (merged with earlier ones); returns the tag.
   *
   * @example
   * tag.clone().fillSlots({ name: user.name, email: user.email })
   */
  fillSlots(slots: Record<string, Flattenable>): this {
    this.slotData = this.slotData === null ? { ...slots } : Object.assign(this.slotData, slots);
    return this;
  }

  /**
   * A copy of this tag, always mutable. Deep (the default) copies child tags and arrays all the way down,
   * without recursion, so very deep trees copy too, except frozen ones (see {@link Tag.freeze}): those
   * cannot change, so the copy shares them. Shallow copies only this tag's own lists.
   */
  clone(deep = true): Tag {
    const top = shallowCopy(this);
    if (!deep) return top;
    // Pending copies whose children (and attribute values) still point at the originals.
    const work: Tag[] = [top];
    while (work.length > 0) {
      const t = work.pop()!;
      const children = t.children;
      for (let i = 0; i < children.length; i++) children[i] = cloneValue(children[i], work);
      for (const key in t.attributes) t.attributes[key] = cloneValue(t.attributes[key], work);
    }
    return top;
  }

  /**
   * Makes this tag and everything below it (tags, arrays, attribute objects) immutable, and returns it.
   * Templates loaded from XML are frozen: they are shared by every render, and a frozen tree is copied in
   * O(1) by {@link Tag.clone}. Changing a frozen tag throws a `TypeError`; change a copy instead.
   */
  freeze(): this {
    const work: unknown[] = [this];
    while (work.length > 0) {
      const v = work.pop();
      if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
      if (v instanceof Tag) {
        work.push(v.attributes, v.children, v.slotData);
        v.#frozen = true;
        Object.freeze(v);
      } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) work.push(v[i]);
        Object.freeze(v);
      } else if (isPlainObject(v)) {
        for (const key in v) work.push(v[key]);
        Object.freeze(v);
      }
    }
    return this;
  }

  /** A short description for error messages: `<li t:render="item"> at page.xml:12:5`. */
  describe(): string {
    const render = this.render === null ? '' : ` t:render="${this.render}"`;
    const where = this.location === null ? '' : ` at ${this.location.filename}:${this.location.line}:${this.location.column}`;
    return `<${this.tagName || 't:transparent'}${render}>${where}`;
  }

  toString(): string {
    return `Tag(${this.describe()})`;
  }
}

function shallowCopy(tag: Tag): Tag {
  const t = new Tag(tag.tagName, { ...tag.attributes }, tag.children.slice());
  t.render = tag.render;
  t.slotData = tag.slotData === null ? null : { ...tag.slotData };
  t.location = tag.location;
  adopt(t, tag);
  return t;
}

function cloneValue(value: Flattenable, work: Tag[]): Flattenable {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Tag) {
    const copy = shallowCopy(value);
    work.push(copy);
    return copy;
  }
  if (Array.isArray(value)) {
    // Arrays are copied into a transparent holder tag's child list so nested arrays need no recursion.
    const holder = new Tag('', {}, value.slice());
    work.push(holder);
    return holder.children;
  }
  return value;
}

/**
 * A named placeholder, filled by the `fillSlots` of an enclosing tag (the nearest one that has the name)
 * or by its default.
 */
export class Slot {
  /** The slot's name. */
  readonly name: string;
  /** Rendered when no enclosing tag fills the slot; without one an unfilled slot is an error. */
  readonly default: Flattenable;
  location: SourceLocation | null = null;

  constructor(name: string, defaultValue: Flattenable = undefined) {
    this.name = name;
    this.default = defaultValue;
  }

  toString(): string {
    return `slot(${JSON.stringify(this.name)})`;
  }
}

/**
 * A placeholder filled by an enclosing tag's `fillSlots`.
 *
 * @example
 * const row = tags.tr(tags.td(slot('name')), tags.td(slot('email', '(none)')));
 * row.clone().fillSlots({ name: 'Alice' });
 */
export function slot(name: string, defaultValue?: Flattenable): Slot {
  return new Slot(name, defaultValue);
}

/** Markup passed through without escaping (see {@link raw}). */
export class Raw {
  constructor(
    /** The markup, written as is. */
    readonly html: string,
  ) {}

  toString(): string {
    return this.html;
  }
}

/**
 * Trusted markup, written without escaping, also inside attribute values (where it also skips the
 * URL-scheme check). Never pass text that came from a user.
 *
 * @example
 * tags.div(raw('<b>bold</b> &amp; safe'))
 */
export function raw(html: string): Raw {
  return new Raw(String(html));
}

/** An HTML/XML comment; text that would end it early is altered so it cannot. */
export class Comment {
  constructor(readonly data: string) {}
}

/** A CDATA section; `>` in the data is moved out of the section (as `&gt;`), so it cannot end early. */
export class CDATA {
  constructor(readonly data: string) {}
}

/** A numeric character reference, `&#160;` for `new CharRef(160)`. */
export class CharRef {
  constructor(readonly ordinal: number) {
    if (!Number.isInteger(ordinal) || ordinal < 1 || ordinal > 0x10ffff || (ordinal >= 0xd800 && ordinal <= 0xdfff)) {
      throw new RangeError(`CharRef: ${ordinal} is not a valid code point`);
    }
  }
}
