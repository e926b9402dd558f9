/**
 * Request headers from what callers pass, as the flat `[lowerName, value, ...]` list `Headers` wraps.
 * @module
 */
import { checkHeader, Headers } from '../headers.js';
import type { HeadersInit } from './interfaces.js';

/** A flat `[lowerName, value, ...]` copy of `init`, checked against header injection. */
export function rawHeaders(init: HeadersInit | null | undefined): string[] {
  const out: string[] = [];
  if (init === null || init === undefined) return out;
  if (init instanceof Headers) {
    out.push(...init.raw);
  } else if (Array.isArray(init)) {
    for (const [name, value] of init as ReadonlyArray<readonly [string, string]>) out.push(name.toLowerCase(), value);
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string | readonly string[]>)) {
      const lower = name.toLowerCase();
      if (typeof value === 'string') out.push(lower, value);
      else for (const v of value) out.push(lower, v);
    }
  }
  for (let i = 0; i < out.length; i += 2) checkHeader(out[i], out[i + 1]);
  return out;
}

/** `raw` without the fields named in `drop` (lower-case). */
export function withoutHeaders(raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!drop.has(raw[i])) out.push(raw[i], raw[i + 1]);
  return out;
}

/** True when `raw` has a field named `lower`. */
export function hasHeader(raw: readonly string[], lower: string): boolean {
  for (let i = 0; i < raw.length; i += 2) if (raw[i] === lower) return true;
  return false;
}
