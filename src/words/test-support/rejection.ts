/**
 * Awaiting what a service call rejects with, for the words tests.
 * @module
 */
import assert from 'node:assert/strict';

/** The error `p` rejects with; fails the test if it resolves. */
export async function rejection(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a failure');
}
