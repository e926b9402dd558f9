/**
 * Sequence sets (RFC 3501 §9 `sequence-set`): `1:3,5,7:*`. Kept as ranges, never expanded, so
 * `UID FETCH 1:4294967295` costs nothing.
 * @module
 */
import { IMAPParseError } from '../errors.js';

/** `*` (the largest number in use) as a range end. */
export const STAR = 0;

/** One range of a sequence set; {@link STAR} (0) stands for `*`. Ends may come in either order. */
export interface SequenceRange {
  readonly from: number;
  readonly to: number;
}

const NUMBER = /^[1-9][0-9]{0,9}$/;
const MAX = 4294967295;

function parseNumber(text: string, tag: string): number {
  if (text === '*') return STAR;
  if (!NUMBER.test(text) || Number(text) > MAX) throw new IMAPParseError(`bad sequence number ${JSON.stringify(text.slice(0, 20))}`, tag);
  return Number(text);
}

/** Parses a sequence set; throws IMAPParseError (with `tag`) when malformed. */
export function parseSequenceSet(text: string, tag = ''): SequenceRange[] {
  if (text === '') throw new IMAPParseError('empty sequence set', tag);
  return text.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) {
      const n = parseNumber(part, tag);
      return { from: n, to: n };
    }
    return { from: parseNumber(part.slice(0, colon), tag), to: parseNumber(part.slice(colon + 1), tag) };
  });
}

/** True when `n` is in `set`, `*` meaning `largest`. */
export function inSequenceSet(set: readonly SequenceRange[], n: number, largest: number): boolean {
  for (const r of set) {
    const a = r.from === STAR ? largest : r.from;
    const b = r.to === STAR ? largest : r.to;
    if (n >= Math.min(a, b) && n <= Math.max(a, b)) return true;
  }
  return false;
}

/** Writes a sorted list of numbers as a compact sequence set (`1:3,7`). */
export function formatSequenceSet(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A UID set in the order given, runs of consecutive UIDs written `a:b`. */
export function uidSet(uids: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    out.push(j > i ? `${uids[i]}:${uids[j]}` : String(uids[i]));
    i = j + 1;
  }
  return out.join(',');
}
