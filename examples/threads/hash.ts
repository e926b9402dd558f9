/**
 * Tasks for the threads examples. This module is loaded inside worker threads: it exports plain
 * functions, and reaches the main loop only through `callFromThread`/`blockingCallFromThread`.
 */
import { createHash } from 'node:crypto';
import { blockingCallFromThread, callFromThread } from 'torsion/threads';

/** SHA-256 of `bytes`, as hex. CPU-bound: exactly what should not run on the main loop. */
export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes `chunks` pieces, reporting progress to the main loop, with a salt it asks the main loop for. */
export function saltedDigest(bytes: Uint8Array, chunks: number): string {
  const salt = blockingCallFromThread<string>('salt');
  const hash = createHash('sha256').update(salt);
  const size = Math.ceil(bytes.length / chunks);
  for (let i = 0; i < chunks; i++) {
    hash.update(bytes.subarray(i * size, (i + 1) * size));
    callFromThread('progress', i + 1, chunks);
  }
  return hash.digest('hex');
}

export function mustBePositive(n: number): number {
  if (n <= 0) throw new RangeError(`expected a positive number, got ${n}`);
  return Math.sqrt(n);
}
