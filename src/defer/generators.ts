/**
 * `inlineCallbacks` and `ensureDeferred`: sequential-looking code over Deferreds, with generators
 * (Twisted's `inlineCallbacks`) or async functions (Twisted's `ensureDeferred`).
 * @module
 */
import { Deferred, fireWithDeferred } from './deferred.js';
import { Failure } from './failure.js';
import { isThenable } from './thenable.js';

interface Status {
  /** The Deferred the caller holds, or the fresh one a cancellation chained it to. */
  deferred: Deferred<any>;
  /** What the generator is waiting on, so that cancelling can cancel it. */
  waitingOn: Deferred<unknown> | undefined;
}

const NOTHING = Symbol('nothing');

function finish(d: Deferred<any>, value: unknown): void {
  if (value instanceof Deferred) fireWithDeferred(d, value);
  else if (isThenable(value)) fireWithDeferred(d, Deferred.fromPromise(value));
  else d.callback(value);
}

/** Runs the generator until it waits on a Deferred that has no result yet, or ends. Loops, never recurses. */
function step(gen: Generator<unknown, unknown, any>, status: Status, input: unknown): void {
  while (true) {
    let next: IteratorResult<unknown, unknown>;
    try {
      next = input instanceof Failure ? gen.throw(input.value) : gen.next(input);
    } catch (e) {
      status.deferred.errback(e);
      return;
    }
    if (next.done) {
      finish(status.deferred, next.value);
      return;
    }
    let yielded = next.value;
    if (!(yielded instanceof Deferred)) {
      if (!isThenable(yielded)) {
        input = yielded;
        continue;
      }
      yielded = Deferred.fromPromise(yielded);
    }
    const awaited = yielded as Deferred<unknown>;
    let sync = true;
    let early: unknown = NOTHING;
    // The generator takes the result, so the awaited Deferred goes on with undefined (and an error thrown
    // into the generator is no longer "unhandled" there).
    awaited.addBoth((r) => {
      if (sync) {
        early = r;
      } else {
        status.waitingOn = undefined;
        step(gen, status, r);
      }
      return undefined;
    });
    sync = false;
    if (early === NOTHING) {
      status.waitingOn = awaited;
      return;
    }
    input = early;
  }
}

function run<R>(gen: Generator<unknown, R, any>): Deferred<Awaited<R>> {
  const status: Status = { deferred: undefined as unknown as Deferred<any>, waitingOn: undefined };
  // Cancelling fires the caller's Deferred with a fresh one to wait on and cancels what the generator
  // awaits; the generator sees CancelledError at its yield and may still finish normally, as in Twisted.
  const canceller = (it: Deferred<any>): void => {
    const fresh = new Deferred<any>(canceller);
    status.deferred = fresh;
    fireWithDeferred(it, fresh);
    status.waitingOn?.cancel();
  };
  const d = new Deferred<Awaited<R>>(canceller);
  status.deferred = d;
  step(gen, status, undefined);
  return d;
}

/**
 * Turns a generator function into a function returning a Deferred (Twisted's `@inlineCallbacks`). Inside,
 * `yield` a Deferred or a Promise to wait for its result; a failure is thrown into the generator at that
 * `yield`; other yielded values come straight back. The generator's return value fires the Deferred, an
 * uncaught error fails it. Cancelling the Deferred cancels the one being waited on.
 *
 * @example
 * const fetchTitle = inlineCallbacks(function* (url: string) {
 *   const page: string = yield getPage(url);
 *   return page.match(/<title>(.*)<\/title>/)?.[1];
 * });
 * fetchTitle('http://example.org/').addCallback(console.log);
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  fn: (this: This, ...args: A) => Generator<unknown, R, any>,
): (this: This, ...args: A) => Deferred<Awaited<R>> {
  return function (this: This, ...args: A): Deferred<Awaited<R>> {
    let gen: Generator<unknown, R, any>;
    try {
      gen = fn.apply(this, args);
    } catch (e) {
      return Deferred.fail(e);
    }
    return run(gen);
  };
}

function isGenerator(x: any): x is Generator<unknown, unknown, any> {
  return x !== null && typeof x === 'object' && typeof x.next === 'function' && typeof x.throw === 'function' && typeof x[Symbol.iterator] === 'function';
}

/**
 * A Deferred for a Deferred (itself), a Promise (such as an async function's result) or a running generator
 * (driven as by {@link inlineCallbacks}). Anything else is a `TypeError`, as in Twisted.
 *
 * @example
 * ensureDeferred(fetchJSON(url)).addTimeout(10, reactor);
 */
export function ensureDeferred<T>(value: Deferred<T> | PromiseLike<T> | Generator<unknown, T, any>): Deferred<Awaited<T>> {
  if (value instanceof Deferred) return value as Deferred<Awaited<T>>;
  if (isThenable(value)) return Deferred.fromPromise(value) as Deferred<Awaited<T>>;
  if (isGenerator(value)) return run(value);
  throw new TypeError(`ensureDeferred() takes a Deferred, a Promise or a generator, not ${value === null ? 'null' : typeof value}`);
}
