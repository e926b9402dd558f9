import assert from 'node:assert/strict';
import type { Deferred, Failure } from '../index.js';

/** An error class of the tests' own, so a trap never matches by accident. */
export class BoomError extends Error {
  override name = 'BoomError';
}

/** The Failure a Deferred has already failed with; asserts it has one. */
export function failureOf(d: Deferred<unknown>): Failure {
  let f: Failure | undefined;
  d.addErrback((x) => {
    f = x;
  });
  assert.ok(f, 'expected a failed Deferred');
  return f;
}
