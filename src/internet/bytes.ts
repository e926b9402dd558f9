/**
 * The byte helpers transports and framings share (`torsion/protocols` re-exports them). Browser-safe:
 * only `Uint8Array` and `TextEncoder`.
 * @module
 */
import type { Data } from './interfaces.js';

const encoder = new TextEncoder();

/** `data` as bytes: strings are encoded as UTF-8, byte arrays are returned as they are. */
export function toBytes(data: Data): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** One new array holding `parts` one after the other. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
