/**
 * Resolving values in place: slot lookup, and the text of attribute values that need neither waiting nor
 * markup (the flattener's fast path).
 * @module
 */
import type { Flattenable } from './interfaces.js';
import { Slot, Tag } from './tag.js';

/** The slot values in effect, innermost last. */
export type SlotStack = readonly Record<string, Flattenable>[];

const hasOwn = Object.prototype.hasOwnProperty;

/** Marks a slot that no enclosing tag fills. */
export const UNFILLED = {};

/** The value of slot `name` from the innermost tag that fills it, or {@link UNFILLED}. */
export function slotValue(slots: SlotStack, name: string): Flattenable | typeof UNFILLED {
  for (let i = slots.length - 1; i >= 0; i--) {
    const data = slots[i];
    if (hasOwn.call(data, name)) return data[name];
  }
  return UNFILLED;
}

/**
 * The text of an attribute value that needs no waiting and no markup (strings, numbers, filled slots, and
 * transparent tags and arrays of those), unescaped; `null` when the value needs the general path.
 */
export function attributeText(v: unknown, slots: SlotStack, depth: number): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined || typeof v === 'boolean') return '';
  if (typeof v !== 'object' || depth > 8) return null;
  if (v instanceof Slot) {
    const value = slotValue(slots, v.name);
    if (value !== UNFILLED) return attributeText(value, slots, depth + 1);
    return v.default === undefined ? null : attributeText(v.default, slots, depth + 1);
  }
  let parts: readonly unknown[];
  if (v instanceof Tag) {
    if (v.tagName !== '' || v.render !== null || v.slotData !== null) return null;
    parts = v.children;
  } else if (Array.isArray(v)) {
    parts = v;
  } else {
    return null;
  }
  let text = '';
  for (let i = 0; i < parts.length; i++) {
    const t = attributeText(parts[i], slots, depth + 1);
    if (t === null) return null;
    text += t;
  }
  return text;
}
