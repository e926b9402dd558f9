/**
 * Small constructors of Deferreds: `succeed`, `fail`, `maybeDeferred`.
 * @module
 */
import { Deferred } from './deferred.js';
import { Failure } from './failure.js';

/**
 * A Deferred that already has `result` (Twisted's `succeed`).
 *
 * @example
 * function getUser(id: string): Deferred<User> {
 *   const cached = cache.get(id);
 *   return cached ? succeed(cached) : fetchUser(id);
 * }
 */
export function succeed<T>(result: T): Deferred<T> {
  return Deferred.succeed(result);
}

/** A Deferred that already failed with `error` (Twisted's `fail`). */
export function fail<T = never>(error?: unknown): Deferred<T> {
  return Deferred.fail<T>(error);
}

/** What `maybeDeferred` turns a function's outcome into. */
export type Deferrable<T> = T | Deferred<T> | PromiseLike<T> | Failure;

/**
 * Calls `fn(...args)` and always returns a Deferred: its returned Deferred as is, a Promise wrapped, a
 * returned `Failure` or a thrown error as a failed Deferred, any other value as a fired one.
 *
 * @example
 * maybeDeferred(handler.render, request).addErrback((f) => log.failure('render failed', f));
 */
export function maybeDeferred<T, A extends unknown[]>(fn: (...args: A) => Deferrable<T>, ...args: A): Deferred<T> {
  let result: Deferrable<T>;
  try {
    result = fn(...args);
  } catch (e) {
    return Deferred.fail<T>(e);
  }
  if (result instanceof Deferred) return result;
  if (result instanceof Failure) return Deferred.fail<T>(result);
  if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof (result as PromiseLike<T>).then === 'function') {
    return Deferred.fromPromise(result as PromiseLike<T>);
  }
  return Deferred.succeed(result as T);
}
