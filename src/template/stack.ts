/**
 * The flattener's stack: the control markers it pushes between values, and what can be read back from
 * them when rendering stops (the trail for error messages, the iterators to close).
 * @module
 */
import type { IRenderable } from './interfaces.js';
import { Slot, Tag } from './tag.js';

/** Control entries on the flattener's stack; the data an entry needs sits right below it. */
export class Marker {
  constructor(
    readonly kind: number,
    /** How many stack entries below belong to this marker. */
    readonly data: number,
  ) {}
}
export const CLOSE_TAG = new Marker(0, 1); // [tag]: write the end tag
export const POP_SLOTS = new Marker(1, 0); // leave a tag's slot values
export const RESTORE_FACTORY = new Marker(2, 2); // [previous renderer source, element]: leave an element
export const END_RENDER = new Marker(3, 1); // [tag]: a renderer's output is done (kept for error trails)
export const SYNC_ITER = new Marker(4, 1); // [iterator]: take the next item
export const ASYNC_ITER = new Marker(5, 1); // [async iterator]: wait for the next item
export const START_TAG_END = new Marker(6, 1); // [tag]: close a start tag whose attributes were captured
export const ATTR_BEGIN = new Marker(7, 1); // [AttributeOp]: start capturing an attribute value
export const ATTR_END = new Marker(8, 1); // [AttributeOp]: write the captured attribute
export const NESTED_END = new Marker(9, 0); // markup rendered inside an attribute value is complete
export const PROGRAM_RESUME = new Marker(10, 4); // [tag, value, program, index]: go on with a compiled tag after value

/** Output captures: a start tag being built, an attribute value, or markup nested in an attribute value. */
export const CAPTURE_START_TAG = 0;
export const CAPTURE_ATTRIBUTE = 1;
export const CAPTURE_NESTED = 2;

/** Stands for "no element" on the stack, where `null` would read as a value to render. */
export const NO_FACTORY = {};
/** Output is handed to `write` once this many characters are complete, even with no wait ahead. */
export const FLUSH_AT = 1 << 16;

/** An attribute whose value is being captured. */
export interface AttributeOp {
  name: string;
  /** Check the captured value's URL scheme (a URL attribute whose value is not `raw()`). */
  checkUrl: boolean;
}

/** An `IRenderable`: has `render` and `lookupRenderMethod` methods. */
export function isRenderable(x: object): x is IRenderable {
  return typeof (x as IRenderable).render === 'function' && typeof (x as IRenderable).lookupRenderMethod === 'function';
}

/** The tags from `root` down to the one holding `target` (for error trails through compiled tags). */
function pathTo(root: Tag, target: unknown): Tag[] {
  const parents = new Map<unknown, Tag>();
  const work: Tag[] = [root];
  let found = false;
  while (work.length > 0 && !found) {
    const t = work.pop()!;
    const kids: unknown[] = [...t.children, ...Object.values(t.attributes)];
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      if (Array.isArray(kid)) {
        kids.push(...kid);
        continue;
      }
      if (!parents.has(kid)) parents.set(kid, t);
      if (kid === target) found = true;
      else if (kid instanceof Tag) work.push(kid);
    }
  }
  const path: Tag[] = [];
  for (let t = found ? parents.get(target) : undefined; t !== undefined; t = t === root ? undefined : parents.get(t)) {
    if (t.tagName !== '') path.push(t);
  }
  return path.length > 0 ? path : [root];
}

/** Calls `fn` for each marker on `stack`, innermost first, with the entries below it that belong to it. */
function walk(stack: readonly unknown[], fn: (marker: Marker, data: unknown[]) => void): void {
  let i = stack.length - 1;
  while (i >= 0) {
    const entry = stack[i];
    if (entry instanceof Marker) {
      fn(entry, stack.slice(i - entry.data, i));
      i -= entry.data + 1;
    } else {
      i--;
    }
  }
}

/** The iterators still open on `stack`. */
export function openIterators(stack: readonly unknown[]): (Iterator<unknown> | AsyncIterator<unknown>)[] {
  const its: (Iterator<unknown> | AsyncIterator<unknown>)[] = [];
  walk(stack, (marker, data) => {
    if (marker === SYNC_ITER || marker === ASYNC_ITER) its.push(data[0] as Iterator<unknown>);
  });
  return its;
}

/** What was being rendered when `current` was taken off `stack`, outermost first. */
export function trailOf(stack: readonly unknown[], current: unknown): string[] {
  const trail: string[] = [];
  if (current instanceof Tag && current.render === null) trail.push(current.describe());
  else if (current instanceof Slot) trail.push(`${current}`);
  walk(stack, (marker, data) => {
    if (marker === CLOSE_TAG) trail.push((data[0] as Tag).describe());
    else if (marker === PROGRAM_RESUME) {
      const path = pathTo(data[0] as Tag, data[1]);
      for (let i = path.length - 1; i >= 0; i--) trail.push(path[i].describe());
    } else if (marker === END_RENDER) trail.push(`renderer "${(data[0] as Tag).render}" for ${(data[0] as Tag).describe()}`);
    else if (marker === RESTORE_FACTORY) trail.push(`element ${(data[1] as object).constructor?.name ?? 'object'}`);
    else if (marker === ATTR_END) trail.push(`attribute "${(data[0] as AttributeOp).name}"`);
  });
  return trail.reverse();
}
