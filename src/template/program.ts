/**
 * Compiled forms of frozen tags. A frozen tree cannot change, so its children and end tag can be turned
 * once into a list of ready markup strings with the dynamic parts (slots, renderers, start tags whose
 * attributes hold slots) between them. Copies of a frozen tag whose children are still the same use the
 * same list, which is how a template row filled a thousand times renders at template-literal speed.
 * @module
 */
import { cdataMarkup, escapeAttribute, escapeComment, escapeText, isSafeUrl, UNSAFE_URL } from './escape.js';
import type { Flattenable } from './interfaces.js';
import { attributeKind, tagInfo, URL_KIND } from './names.js';
import { attributeText, slotValue, type SlotStack } from './resolve.js';
import { cacheProgram, cachedProgram, CDATA, CharRef, Comment, Raw, Slot, Tag, templateOf } from './tag.js';

/** A start tag whose attributes must be resolved at render time. */
export class OpenOp {
  constructor(
    /** The tag, rendered the general way if an attribute turns out to need it. */
    readonly tag: Tag,
    /** `<name` plus the static attributes before the first dynamic one. */
    readonly prefix: string,
    /** Static attribute markup, or dynamic attributes to resolve. */
    readonly parts: readonly (string | { key: string; value: Flattenable; url: boolean })[],
    /** `>` or ` />`. */
    readonly suffix: string,
  ) {}

  /** Index of the op after this tag's end tag: where rendering resumes if the tag is rendered the general way. */
  end = -1;

  /** The start tag's markup, or `null` if some attribute needs the general path. */
  open(slots: SlotStack): string | null {
    let s = this.prefix;
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part === 'string') {
        s += part;
        continue;
      }
      const text = attributeText(part.value, slots, 0);
      if (text === null) return null;
      s += ' ' + part.key + '="' + escapeAttribute(part.url && !isSafeUrl(text) ? UNSAFE_URL : text) + '"';
    }
    return s + this.suffix;
  }
}

/** A value rendered the general way (a tag with a renderer, a Deferred...). */
export class DynamicOp {
  constructor(readonly value: Flattenable) {}
}

/** Markup strings, content slots, start tags to resolve and values to render the general way. */
export type Program = readonly (string | Slot | OpenOp | DynamicOp)[];

/** Closes the static markup of a tag that has an {@link OpenOp}, and records where the tag ends. */
class EndOf {
  constructor(
    readonly op: OpenOp,
    readonly close: string,
  ) {}
}

/** Static markup of an attribute value, or `undefined` if it must be resolved at render time. */
function staticAttribute(key: string, value: Flattenable): string | undefined {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return ' ' + key + '=""';
  if (value instanceof Raw) return ' ' + key + '="' + value.html + '"';
  if (typeof value === 'number') return ' ' + key + '="' + value + '"';
  if (typeof value === 'string') return ' ' + key + '="' + escapeAttribute(attributeKind(key) === URL_KIND && !isSafeUrl(value) ? UNSAFE_URL : value) + '"';
  return undefined;
}

/** Compiles a frozen tag's children and end tag; `null` if the tag is not worth it or not valid. */
function compile(tag: Tag): Program | null {
  const ops: (string | Slot | OpenOp | DynamicOp)[] = [];
  let pending = '';
  const flushPending = () => {
    if (pending !== '') ops.push(pending);
    pending = '';
  };
  const work: unknown[] = [tagInfo(tag.tagName).close];
  for (let i = tag.children.length - 1; i >= 0; i--) work.push(wrapText(tag.children[i]));
  // Strings on the work stack are ready markup; everything else is a child to compile.
  while (work.length > 0) {
    const v = work.pop();
    if (typeof v === 'string') {
      pending += v;
      continue;
    }
    if (v instanceof Text) {
      pending += escapeText(v.text);
      continue;
    }
    if (v instanceof EndOf) {
      pending += v.close;
      flushPending();
      v.op.end = ops.length;
      continue;
    }
    if (typeof v === 'number') pending += v;
    else if (v === null || v === undefined || typeof v === 'boolean') continue;
    else if (v instanceof Slot) {
      flushPending();
      ops.push(v);
    } else if (v instanceof Raw) pending += v.html;
    else if (v instanceof Comment) pending += '<!--' + escapeComment(v.data) + '-->';
    else if (v instanceof CDATA) pending += cdataMarkup(v.data);
    else if (v instanceof CharRef) pending += '&#' + v.ordinal + ';';
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) work.push(wrapText(v[i]));
    else if (v instanceof Tag && v.render === null && v.slotData === null && templateOf(v) === v) {
      if (v.tagName === '') {
        for (let i = v.children.length - 1; i >= 0; i--) work.push(wrapText(v.children[i]));
        continue;
      }
      const info = tagInfo(v.tagName);
      const selfClosing = v.children.length === 0 && info.isVoid;
      const parts: (string | { key: string; value: Flattenable; url: boolean })[] = [];
      let prefix = info.open;
      for (const key in v.attributes) {
        const value = v.attributes[key];
        const markup = staticAttribute(key, value);
        if (markup !== undefined && parts.length === 0) prefix += markup;
        else if (markup !== undefined) parts.push(markup);
        else parts.push({ key, value, url: attributeKind(key) === URL_KIND });
      }
      const suffix = selfClosing ? ' />' : '>';
      const close = selfClosing ? '' : info.close;
      if (parts.length === 0) {
        pending += prefix + suffix;
        work.push(close);
      } else {
        flushPending();
        const op = new OpenOp(v, prefix, parts, suffix);
        ops.push(op);
        work.push(new EndOf(op, close));
      }
      for (let i = v.children.length - 1; i >= 0; i--) work.push(wrapText(v.children[i]));
    } else {
      flushPending();
      ops.push(new DynamicOp(v as Flattenable));
    }
  }
  flushPending();
  return ops;
}

/** Text children travel the work stack wrapped, since bare strings there are markup. */
class Text {
  constructor(readonly text: string) {}
}

function wrapText(v: unknown): unknown {
  return typeof v === 'string' ? new Text(v) : v;
}

const NOT_COMPILABLE = {};

/**
 * The compiled children and end tag of `tag`, if it is frozen or an unchanged copy of a frozen tag;
 * otherwise `null`.
 */
export function programOf(tag: Tag): Program | null {
  const template = templateOf(tag);
  if (template === null) return null;
  if (template !== tag) {
    // A copy may use its template's program while its name and children are those of the template.
    if (tag.tagName !== template.tagName) return null;
    const a = tag.children;
    const b = template.children;
    if (a !== b) {
      if (a.length !== b.length) return null;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return null;
    }
  }
  let program = cachedProgram(template);
  if (program === undefined) {
    try {
      program = compile(template) ?? NOT_COMPILABLE;
    } catch {
      // An invalid name deeper down: the general path reports it where it is.
      program = NOT_COMPILABLE;
    }
    cacheProgram(template, program);
  }
  return program === NOT_COMPILABLE ? null : (program as Program);
}

/**
 * Runs `program` (compiled from `tag`) from `start`, appending to `buf`. When an op needs the general path,
 * pushes `[tag, value, program, resumeIndex, resumeMarker]` and the value, and returns.
 */
export function runProgram(program: Program, start: number, tag: Tag, stack: unknown[], slots: SlotStack, buf: string, resumeMarker: unknown): string {
  for (let i = start; i < program.length; i++) {
    const op = program[i];
    if (typeof op === 'string') {
      buf += op;
      continue;
    }
    if (op instanceof Slot) {
      const value = slotValue(slots, op.name);
      if (typeof value === 'string') {
        buf += escapeText(value);
        continue;
      }
      if (typeof value === 'number') {
        buf += value;
        continue;
      }
      stack.push(tag, op, program, i + 1, resumeMarker, op);
      return buf;
    }
    if (op instanceof OpenOp) {
      const open = op.open(slots);
      if (open !== null) {
        buf += open;
        continue;
      }
      stack.push(tag, op.tag, program, op.end, resumeMarker, op.tag);
      return buf;
    }
    stack.push(tag, op.value, program, i + 1, resumeMarker, op.value);
    return buf;
  }
  return buf;
}
