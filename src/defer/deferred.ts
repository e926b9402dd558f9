/**
 * `Deferred`: a result that is not there yet, with a chain of callbacks and errbacks (Twisted's
 * `twisted.internet.defer.Deferred`). Once it has a result it runs callbacks synchronously.
 * @module
 */
import { AlreadyCalledError, CancelledError, Failure, TimeoutError } from './failure.js';
import { debugging, creationSite, firingSite, trackUnhandled, untrackUnhandled, type UnhandledToken } from './unhandled.js';

/** The part of a reactor that `addTimeout` needs. */
export interface TimeoutClock {
  callLater(seconds: number, fn: () => void): { active(): boolean; cancel(): void };
}

type Callback = (result: any, ...args: any[]) => any;

/** Marks the two chain entries that hand an inner Deferred's result back to the outer one. */
const CONTINUE: Callback = () => undefined;

interface Link {
  cb: Callback;
  eb: Callback;
  cbArgs: unknown[] | undefined;
  ebArgs: unknown[] | undefined;
  /** For CONTINUE links: the outer Deferred waiting on this one. */
  outer: Deferred<any> | undefined;
}

/** What a callback may return: a value, a Deferred or Promise of one, or a Failure to switch to errbacks. */
export type Chained<U> = U | Deferred<U> | PromiseLike<U> | Failure;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * A callback/errback chain waiting for one result.
 *
 * @example
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log(n));
 * d.callback(21); // prints 42, synchronously
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /** True once `callback` or `errback` has been called. */
  called = false;
  /** The current result: a value, a {@link Failure}, or an inner Deferred this one waits on. */
  result: any = undefined;
  #paused = 0;
  #links: Link[] = [];
  #pos = 0;
  #running = false;
  #canceller: ((d: Deferred<T>) => void) | undefined;
  #suppressAlreadyCalled = false;
  /** The Deferred this one's result is handed to (set by `chainDeferred` and while waiting on an inner one). */
  #chainedTo: Deferred<any> | undefined;
  #unhandled: UnhandledToken | undefined;
  #creator: string | undefined;
  #firer: string | undefined;

  /** @param canceller called by {@link Deferred.cancel} to abort the underlying work. */
  constructor(canceller?: (d: Deferred<T>) => void) {
    this.#canceller = canceller;
    if (debugging) this.#creator = creationSite();
  }

  /** A Deferred that already has `result`. */
  static succeed<U>(result: U): Deferred<U> {
    const d = new Deferred<U>();
    d.callback(result);
    return d;
  }

  /** A Deferred that already failed with `error`. */
  static fail<U = never>(error?: unknown): Deferred<U> {
    const d = new Deferred<U>();
    d.errback(error);
    return d;
  }

  /**
   * Wraps a Promise. Cancelling the Deferred fails it with `CancelledError` at once; the Promise's eventual
   * result is then dropped (a Promise has no way to be told to stop).
   */
  static fromPromise<U>(promise: PromiseLike<U>): Deferred<U> {
    const d = new Deferred<U>();
    promise.then(
      (v) => { if (!d.called) d.callback(v); },
      (e) => { if (!d.called) d.errback(e); },
    );
    return d;
  }

  /** Fires the chain with a success result. */
  callback(result: T): void {
    if (isThenable(result) && !(result instanceof Deferred)) throw new TypeError('callback() takes a value, not a Promise: use Deferred.fromPromise');
    this.#start(result);
  }

  /** Fires the chain with a failure; anything that is not a `Failure` is wrapped in one. */
  errback(error?: unknown): void {
    this.#start(error instanceof Failure ? error : new Failure(error));
  }

  #start(result: unknown): void {
    if (this.called) {
      if (this.#suppressAlreadyCalled) {
        this.#suppressAlreadyCalled = false;
        return;
      }
      const err = new AlreadyCalledError('Deferred has already been called');
      if (this.#firer) err.message += `\nfirst fired at:\n${this.#firer}`;
      throw err;
    }
    if (debugging) this.#firer = firingSite();
    this.called = true;
    this.result = result;
    this.#run();
  }

  /** Adds a callback and an errback as one stage of the chain. */
  addCallbacks<U = T>(
    callback: ((result: T, ...args: any[]) => Chained<U>) | null,
    errback?: ((failure: Failure, ...args: any[]) => Chained<U>) | null,
    callbackArgs?: unknown[],
    errbackArgs?: unknown[],
  ): Deferred<U> {
    this.#links.push({ cb: callback ?? passthru, eb: errback ?? passthru, cbArgs: callbackArgs, ebArgs: errbackArgs, outer: undefined });
    if (this.called) this.#run();
    return this as unknown as Deferred<U>;
  }

  /** Adds a success callback; extra arguments are passed after the result. */
  addCallback<U, A extends unknown[] = []>(callback: (result: T, ...args: A) => Chained<U>, ...args: A): Deferred<U> {
    return this.addCallbacks<U>(callback as Callback, null, args.length ? args : undefined);
  }

  /** Adds an errback; returning a value (not a Failure, not throwing) switches the chain back to success. */
  addErrback<U = T, A extends unknown[] = []>(errback: (failure: Failure, ...args: A) => Chained<U>, ...args: A): Deferred<T | U> {
    return this.addCallbacks(null, errback as Callback, undefined, args.length ? args : undefined) as Deferred<T | U>;
  }

  /** Adds the same function as callback and errback. */
  addBoth<U, A extends unknown[] = []>(fn: (result: T | Failure, ...args: A) => Chained<U>, ...args: A): Deferred<U> {
    const a = args.length ? args : undefined;
    return this.addCallbacks<U>(fn as Callback, fn as Callback, a, a);
  }

  /** Alias of {@link Deferred.addBoth}, as Twisted. */
  addFinally<A extends unknown[] = []>(fn: (...args: A) => unknown, ...args: A): Deferred<T> {
    return this.addBoth((r) => {
      const out = fn(...args);
      if (out instanceof Deferred || isThenable(out)) {
        const inner = out instanceof Deferred ? out : Deferred.fromPromise(out);
        return inner.addCallback(() => r as any);
      }
      return r as any;
    });
  }

  /** Hands this Deferred's result to `d` (which fires when this one does); returns this. */
  chainDeferred(d: Deferred<T>): Deferred<T> {
    d.#chainedTo = this;
    return this.addCallbacks(
      (r) => { d.callback(r); return undefined as any; },
      (f) => { d.errback(f); return undefined as any; },
    ) as unknown as Deferred<T>;
  }

  /** Stops callbacks from running until a matching {@link Deferred.unpause}. */
  pause(): void {
    this.#paused++;
  }

  /** Undoes one {@link Deferred.pause}; runs waiting callbacks when none is left. */
  unpause(): void {
    this.#paused--;
    if (this.#paused === 0 && this.called) this.#run();
  }

  /** True while paused (by the user or while waiting on an inner Deferred). */
  get paused(): boolean {
    return this.#paused > 0;
  }

  /**
   * Cancels the work: calls the canceller, then fails with `CancelledError` unless the canceller fired it.
   * A Deferred waiting on an inner one cancels the inner one instead.
   */
  cancel(): void {
    if (!this.called) {
      const canceller = this.#canceller;
      if (canceller) canceller(this);
      else this.#suppressAlreadyCalled = true;
      if (!this.called) this.errback(new CancelledError());
    } else if (this.result instanceof Deferred) {
      this.result.cancel();
    }
  }

  /**
   * Cancels this Deferred if it has no result within `seconds` on `clock`, failing with `TimeoutError`
   * (or what `onTimeoutCancel(result, seconds)` returns).
   */
  addTimeout(seconds: number, clock: TimeoutClock, onTimeoutCancel?: (result: unknown, seconds: number) => unknown): Deferred<T> {
    let timedOut = false;
    const call = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    this.addBoth((result) => {
      if (call.active()) call.cancel();
      if (!timedOut) return result as any;
      if (onTimeoutCancel) return onTimeoutCancel(result, seconds) as any;
      if (result instanceof Failure && result.check(CancelledError)) throw new TimeoutError(seconds, `Deferred timed out after ${seconds} seconds`);
      return result as any;
    });
    return this;
  }

  /**
   * Lets `await d` work. The Deferred's result is handed to the Promise and the chain goes on with
   * `undefined`, as Twisted's `asFuture`.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onFulfilled, onRejected);
  }

  /** A Promise of this Deferred's result; a failure rejects it with the Failure's error. */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.addCallbacks(
        (r) => { resolve(r); return undefined as any; },
        (f) => { reject(f.value); return undefined as any; },
      );
    });
  }

  /** Where this Deferred was created and first fired, when debugging is on. */
  debugInfo(): string | undefined {
    if (!this.#creator && !this.#firer) return undefined;
    return `(debug: Deferred created at:\n${this.#creator ?? ' (unknown)'}\n first fired at:\n${this.#firer ?? ' (not fired)'})`;
  }

  toString(): string {
    const state = !this.called ? 'waiting' : this.result instanceof Deferred ? 'waiting on inner Deferred' : this.result instanceof Failure ? `failed: ${this.result}` : 'fired';
    return `<Deferred ${state}>`;
  }

  /**
   * Runs the chain. Iterative, with an explicit stack of Deferreds, so that chains nested or queued
   * 100,000 deep never grow the JavaScript stack.
   */
  #run(): void {
    if (this.#running) return;
    const chain: Deferred<any>[] = [this];
    while (chain.length > 0) {
      const current = chain[chain.length - 1];
      if (current.#paused > 0) return;
      let finished = true;
      current.#chainedTo = undefined;
      if (current.#unhandled) {
        untrackUnhandled(current.#unhandled);
        current.#unhandled = undefined;
      }
      const links = current.#links;
      while (current.#pos < links.length) {
        const link = links[current.#pos++];
        const failed = current.result instanceof Failure;
        const fn = failed ? link.eb : link.cb;
        if (fn === CONTINUE) {
          const outer = link.outer!;
          outer.result = current.result;
          current.result = undefined;
          outer.#paused--;
          chain.push(outer);
          finished = false;
          break;
        }
        if (fn === passthru) continue;
        const args = failed ? link.ebArgs : link.cbArgs;
        current.#running = true;
        try {
          current.result = args === undefined ? fn(current.result) : fn(current.result, ...args);
        } catch (e) {
          current.result = e instanceof Failure ? e : new Failure(e);
        } finally {
          current.#running = false;
        }
        let r = current.result;
        if (r === current) throw new TypeError('a callback returned the Deferred it was added to');
        if (r !== null && typeof r === 'object' && !(r instanceof Deferred) && !(r instanceof Failure) && isThenable(r)) {
          r = current.result = Deferred.fromPromise(r);
        }
        if (r instanceof Deferred) {
          const innerResult = r.result;
          if (!r.called || innerResult instanceof Deferred || r.#paused > 0 || r.#running) {
            current.#paused++;
            current.#chainedTo = r;
            r.#links.push({ cb: CONTINUE, eb: CONTINUE, cbArgs: undefined, ebArgs: undefined, outer: current });
            finished = false;
            break;
          }
          // Already fired: take its result now; the outer chain owns any failure from here on.
          if (r.#unhandled) {
            untrackUnhandled(r.#unhandled);
            r.#unhandled = undefined;
          }
          r.result = undefined;
          current.result = innerResult;
        }
      }
      if (current.#pos === links.length) {
        links.length = 0;
        current.#pos = 0;
      }
      if (finished) {
        if (current.result instanceof Failure) {
          const info = current.debugInfo();
          if (info) current.result.debugInfo = info;
          current.#unhandled = trackUnhandled(current, current.result);
        }
        chain.pop();
      }
    }
  }
}

function passthru<R>(r: R): R {
  return r;
}
