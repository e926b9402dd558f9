/**
 * The one test for "a Promise or anything else with a `then` method" used across Torsion.
 * @module
 */

/** True for a Promise, a Deferred or any other object or function with a callable `then`. */
export function isThenable<T = unknown>(x: unknown): x is PromiseLike<T> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}
