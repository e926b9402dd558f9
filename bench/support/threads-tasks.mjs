// Tasks for bench/threads.bench.ts, in plain JavaScript so that Torsion's workers and piscina's load
// exactly the same code.
import { createHash } from 'node:crypto';

export function add(a, b) {
  return a + b;
}

/** SHA-256 of `length` bytes of a SharedArrayBuffer from `offset` (no copy), as hex. */
export function hashRange(shared, offset, length) {
  return createHash('sha256').update(new Uint8Array(shared, offset, length)).digest('hex');
}

export default add;
