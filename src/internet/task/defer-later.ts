/**
 * `deferLater`: a Deferred that fires after a delay (Twisted's `twisted.internet.task.deferLater`).
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { IReactorTime } from '../interfaces.js';

/**
 * Calls `fn(...args)` after `seconds` on `clock` and fires with its result (a Deferred or Promise result is
 * waited for; a throw becomes a failure). Without `fn` it fires with `undefined`. Cancelling the Deferred
 * before the time comes cancels the call and fails it with `CancelledError`.
 *
 * @example
 * await deferLater(reactor, 0.5, () => 'later'); // 'later', half a second on
 */
export function deferLater<T = undefined, A extends unknown[] = []>(
  clock: IReactorTime,
  seconds: number,
  fn?: (...args: A) => T | PromiseLike<T> | Deferred<T>,
  ...args: A
): Deferred<T> {
  const d = new Deferred<T>(() => {
    if (call.active()) call.cancel();
  });
  const call = clock.callLater(seconds, () => {
    if (!fn) {
      d.callback(undefined as T);
      return;
    }
    let result: T | PromiseLike<T> | Deferred<T>;
    try {
      result = fn(...args);
    } catch (e) {
      d.errback(e);
      return;
    }
    if (result instanceof Deferred) result.chainDeferred(d);
    else if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<T>).then === 'function') Deferred.fromPromise(result as PromiseLike<T>).chainDeferred(d);
    else d.callback(result as T);
  });
  return d;
}
