/**
 * Byte helpers shared by the fake transports.
 * @module
 */
import type { Data } from '../internet/interfaces.js';

/** `data` as a fresh `Buffer`: strings are encoded as UTF-8, byte arrays are copied so a writer reusing its buffer changes nothing here. */
export function toBytes(data: Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw new TypeError(`transports carry Uint8Array or string, got ${describe(data)}`);
}

/** Joins chunks into one `Buffer`. */
export function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}
