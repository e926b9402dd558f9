/**
 * `Deferred`: a result that is not there yet, with a chain of callbacks and errbacks (Twisted's
 * `twisted.internet.defer.Deferred`). Once it has a result it runs callbacks synchronously.
 * @module
 */
import { AlreadyCalledError, CancelledError, Failure, TimeoutError } from './failure.js';
import { callSite, debugging, trackUnhandled, untrackUnhandled, type DeferredInfo } from './unhandled.js';
import { isThenable } from './thenable.js';
import { defaultReactor } from '../time/default-reactor.js';
import type { IReactorTime } from '../time/interfaces.js';

type Callback = (result: any, ...args: any[]) => any;

/** What a callback may return: a value, a Deferred or Promise of one, or a Failure to switch to errbacks. */
export type Chained<U> = U | Deferred<U> | PromiseLike<U> | Failure;

// #state bits; the pause count lives above them.
const CALLED = 1;
const RUNNING = 2;
const SUPPRESS = 4;
const PAUSE = 8;

/** Marks the chain entries that hand an inner Deferred's result back to the outer one waiting on it. */
const CONTINUE: Callback = () => undefined;

/** Needs more than "store it as the result": a Failure to track, a Deferred or Promise to wait on. */
function isSpecial(r: any): boolean {
  return r !== null && (typeof r === 'object' || typeof r === 'function') && (r instanceof Failure || r instanceof Deferred || typeof r.then === 'function');
}

/** Internal: fires `outer` with a Deferred to wait on (what `callback` refuses to users; see `inlineCallbacks`). */
export let fireWithDeferred: (outer: Deferred<any>, inner: Deferred<any>) => void;

/**
 * A callback/errback chain waiting for one result.
 *
 * Memory matters (servers hold many pending Deferreds), so the object has five fields: the result, a state
 * word, the callback queue (made on first use, flat: `[position, cb, eb, cbArgs, ebArgs, ...]`), the canceller
 * and a rarely made record for unhandled-failure tracking and debugging. The internal helpers are static
 * private methods: instance private methods would cost every Deferred one more slot (V8's brand).
 *
 * @example
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log(n));
 * d.callback(21); // prints 42, synchronously
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /** The current result: a value, a {@link Failure}, or an inner Deferred this one waits on. */
  result: any = undefined;
  #state = 0;
  #links: any[] | undefined = undefined;
  // Typed loosely so that Deferred<T> stays covariant in T (a Deferred<number> is a Deferred<unknown>).
  #canceller: ((d: Deferred<any>) => void) | undefined;
  #info: DeferredInfo | undefined = undefined;

  static {
    fireWithDeferred = (outer, inner) => Deferred.#start(outer, inner);
  }

  /** @param canceller called by {@link Deferred.cancel} to abort the underlying work. */
  constructor(canceller?: (d: Deferred<T>) => void) {
    this.#canceller = canceller;
    if (debugging) this.#info = { failure: undefined, creator: callSite(), firer: undefined };
  }

  /** A Deferred that already has `result`. */
  static succeed<U>(result: U): Deferred<U> {
    const d = new Deferred<U>();
    d.callback(result);
    return d;
  }

  /** A Deferred that already failed with `error` (wrapped in a {@link Failure} unless it is one). */
  static fail<U = never>(error?: unknown): Deferred<U> {
    const d = new Deferred<U>();
    d.errback(error);
    return d;
  }

  /**
   * Wraps a Promise (Twisted's `fromFuture`). Cancelling the Deferred fails it with `CancelledError` at once;
   * the Promise's eventual result is then dropped, as a Promise cannot be told to stop.
   */
  static fromPromise<U>(promise: PromiseLike<U>): Deferred<U> {
    const d = new Deferred<U>();
    try {
      promise.then(
        (v) => {
          if (!d.called) d.callback(v);
        },
        (e) => {
          if (!d.called) d.errback(e);
        },
      );
    } catch (e) {
      // A broken thenable whose `then` throws: fail rather than leave a chain waiting forever.
      if (!d.called) d.errback(e);
    }
    return d;
  }

  /** True once `callback` or `errback` has been called. */
  get called(): boolean {
    return (this.#state & CALLED) !== 0;
  }

  /** True while paused (by {@link Deferred.pause} or while waiting on an inner Deferred). */
  get paused(): boolean {
    return this.#state >= PAUSE;
  }

  /** Fires the chain with a success result. A Deferred or Promise is refused: chain it, or use `fromPromise`. */
  callback(result: T): void {
    if (isThenable(result)) {
      throw new TypeError(result instanceof Deferred ? 'callback() takes a value, not a Deferred: use chainDeferred or return it from a callback' : 'callback() takes a value, not a Promise: use Deferred.fromPromise');
    }
    Deferred.#start(this, result);
  }

  /** Fires the chain with a failure; anything that is not a `Failure` is wrapped in one. */
  errback(error?: unknown): void {
    Deferred.#start(this, error instanceof Failure ? error : new Failure(error));
  }

  static #start(self: Deferred<any>, result: unknown): void {
    const state = self.#state;
    if (state & CALLED) {
      if (state & SUPPRESS) {
        self.#state = state & ~SUPPRESS;
        return;
      }
      const firer = self.#info?.firer;
      throw new AlreadyCalledError(firer ? `Deferred has already been called; first fired at:\n${firer}` : 'Deferred has already been called');
    }
    if (debugging) (self.#info ??= { failure: undefined, creator: undefined, firer: undefined }).firer = callSite();
    self.#state = state | CALLED;
    self.#canceller = undefined;
    self.result = result;
    if (self.#links !== undefined || isSpecial(result)) Deferred.#run(self);
  }

  /**
   * Adds a callback and an errback as one stage of the chain: exactly one of them runs, with the result so
   * far, and what it returns (or throws) becomes the result for the next stage.
   */
  addCallbacks<U = T>(
    callback: ((result: T, ...args: any[]) => Chained<U>) | null,
    errback?: ((failure: Failure, ...args: any[]) => Chained<U>) | null,
    callbackArgs?: unknown[],
    errbackArgs?: unknown[],
  ): Deferred<U> {
    if (this.#state === CALLED && this.#links === undefined) {
      // Fast path: fired, idle and nothing queued, so this stage runs now, with no queue entry.
      const prev = this.result;
      const failed = prev instanceof Failure;
      const fn: Callback | null | undefined = failed ? errback : callback;
      if (fn == null) return this as unknown as Deferred<U>;
      const args = failed ? errbackArgs : callbackArgs;
      if (failed && this.#info !== undefined) untrackUnhandled(this.#info);
      this.#state = CALLED | RUNNING;
      let r: any;
      try {
        r = args === undefined ? fn(prev) : fn(prev, ...args);
      } catch (e) {
        r = e instanceof Failure ? e : new Failure(e);
      }
      this.#state &= ~RUNNING;
      this.result = r;
      if (this.#state !== CALLED || this.#links !== undefined || isSpecial(r)) Deferred.#run(this, true);
      return this as unknown as Deferred<U>;
    }
    const links = this.#links;
    if (links === undefined) this.#links = [1, callback ?? null, errback ?? null, callbackArgs, errbackArgs];
    else links.push(callback ?? null, errback ?? null, callbackArgs, errbackArgs);
    if (this.#state & CALLED) Deferred.#run(this);
    return this as unknown as Deferred<U>;
  }

  /** Adds a success callback; extra arguments are passed after the result. */
  addCallback<U, A extends unknown[] = []>(callback: (result: T, ...args: A) => Chained<U>, ...args: A): Deferred<U>;
  addCallback(callback: Callback): Deferred<any> {
    // `arguments` rather than a rest parameter: no array is allocated on the common no-extra-args path.
    // eslint-disable-next-line prefer-rest-params
    return this.addCallbacks(callback, null, arguments.length > 1 ? Array.prototype.slice.call(arguments, 1) : undefined);
  }

  /** Adds an errback; returning a value (not a Failure, not throwing) switches the chain back to success. */
  addErrback<U = T, A extends unknown[] = []>(errback: (failure: Failure, ...args: A) => Chained<U>, ...args: A): Deferred<T | U>;
  addErrback(errback: Callback): Deferred<any> {
    // eslint-disable-next-line prefer-rest-params
    return this.addCallbacks(null, errback, undefined, arguments.length > 1 ? Array.prototype.slice.call(arguments, 1) : undefined);
  }

  /** Adds the same function as callback and errback. */
  addBoth<U, A extends unknown[] = []>(fn: (result: T | Failure, ...args: A) => Chained<U>, ...args: A): Deferred<U>;
  addBoth(fn: Callback): Deferred<any> {
    // eslint-disable-next-line prefer-rest-params
    const a = arguments.length > 1 ? Array.prototype.slice.call(arguments, 1) : undefined;
    return this.addCallbacks(fn, fn, a, a);
  }

  /**
   * Runs `fn` whatever the outcome and passes the result on unchanged (Twisted's `addFinally`); if `fn`
   * returns a Deferred or Promise the chain waits for it, and if it fails, that failure replaces the result.
   */
  addFinally<A extends unknown[] = []>(fn: (...args: A) => unknown, ...args: A): Deferred<T> {
    return this.addBoth((r) => {
      const out = fn(...args);
      if (isThenable(out)) {
        const inner = out instanceof Deferred ? out : Deferred.fromPromise(out);
        return inner.addCallback(() => r as any);
      }
      return r as any;
    });
  }

  /** Hands this Deferred's result to `d` (which fires when this one does); this chain goes on with `undefined`. */
  chainDeferred(d: Deferred<T>): Deferred<undefined> {
    return this.addCallbacks(
      (r) => {
        d.callback(r);
        return undefined;
      },
      (f) => {
        d.errback(f);
        return undefined;
      },
    );
  }

  /** Stops callbacks from running until a matching {@link Deferred.unpause}. */
  pause(): void {
    this.#state += PAUSE;
  }

  /** Undoes one {@link Deferred.pause} (more unpauses than pauses are ignored); runs waiting callbacks when none is left. */
  unpause(): void {
    if (this.#state < PAUSE) return;
    this.#state -= PAUSE;
    if (this.#state < PAUSE && this.#state & CALLED) Deferred.#run(this);
  }

  /**
   * Cancels the work: calls the canceller, then fails with `CancelledError` unless the canceller fired it.
   * Without a canceller, the one `callback`/`errback` that the abandoned work makes later is ignored. A
   * Deferred that has fired but waits on an inner one cancels the inner one instead.
   */
  cancel(): void {
    if (!(this.#state & CALLED)) {
      const canceller = this.#canceller;
      if (canceller) canceller(this);
      else this.#state |= SUPPRESS;
      if (!(this.#state & CALLED)) this.errback(new Failure(new CancelledError()));
    } else if (this.result instanceof Deferred) {
      this.result.cancel();
    }
  }

  /**
   * Cancels this Deferred if it has no result within `seconds` on `clock` (the environment's reactor by
   * default); a resulting `CancelledError` becomes `TimeoutError` (or what `onTimeoutCancel(result,
   * seconds)` returns). Returns this.
   */
  addTimeout(seconds: number, clock: IReactorTime = defaultReactor(), onTimeoutCancel?: (result: unknown, seconds: number) => unknown): Deferred<T> {
    let timedOut = false;
    const call = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    this.addBoth((result) => {
      if (call.active()) call.cancel();
      if (!timedOut) return result as any;
      if (onTimeoutCancel) return onTimeoutCancel(result, seconds) as any;
      if (result instanceof Failure) {
        result.trap(CancelledError);
        throw new TimeoutError(seconds, `Deferred timed out after ${seconds} seconds`);
      }
      return result as any;
    });
    return this;
  }

  /**
   * Lets `await d` work. The result is handed to the Promise and this chain goes on with `undefined`, as
   * Twisted's `asFuture`: await a Deferred once, as its last consumer.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onFulfilled, onRejected);
  }

  /**
   * `promise.catch` over {@link Deferred.asPromise}, so APIs that want a full Promise (`assert.rejects`,
   * libraries checking for `then` and `catch`) accept a Deferred. Consumes the result as {@link Deferred.then} does.
   */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.asPromise().catch(onRejected);
  }

  /** Makes a Deferred a `Promise` to the type checker too (`[object Deferred]` at run time), for APIs typed to take one. */
  get [Symbol.toStringTag](): string {
    return 'Deferred';
  }

  /** `promise.finally` over {@link Deferred.asPromise}; consumes the result as {@link Deferred.then} does. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.asPromise().finally(onFinally);
  }

  /** A Promise of this Deferred's result (a failure rejects it with the Failure's error); see {@link Deferred.then}. */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.addCallbacks(
        (r) => {
          resolve(r);
          return undefined as any;
        },
        (f) => {
          reject(f.value);
          return undefined as any;
        },
      );
    });
  }

  /** Where this Deferred was created and first fired, when debugging is on. */
  debugInfo(): string | undefined {
    const info = this.#info;
    if (!info || (info.creator === undefined && info.firer === undefined)) return undefined;
    return `created at:\n${info.creator ?? ' (not recorded)'}\nfirst fired at:\n${info.firer ?? ' (not fired)'}`;
  }

  /** `<Deferred waiting>`, `<Deferred fired>`, `<Deferred failed: ...>` or `<Deferred waiting on ...>`. */
  toString(): string {
    if (!this.called) return '<Deferred waiting>';
    if (this.result instanceof Deferred) return `<Deferred waiting on ${this.result}>`;
    if (this.result instanceof Failure) return `<Deferred failed: ${this.result}>`;
    return '<Deferred fired>';
  }

  /**
   * Makes this Deferred wait on `inner` if it has no usable result yet (queueing a CONTINUE entry on it and
   * pausing); otherwise takes its result now. Returns true when waiting.
   */
  static #waitOn(self: Deferred<any>, inner: Deferred<any>): boolean {
    const s = inner.#state;
    if (!(s & CALLED) || s >= PAUSE || s & RUNNING || inner.result instanceof Deferred) {
      self.#state += PAUSE;
      if (inner.#links === undefined) inner.#links = [1, CONTINUE, CONTINUE, self, self];
      else inner.#links.push(CONTINUE, CONTINUE, self, self);
      return true;
    }
    // Already fired: take its result; the outer chain owns any failure from here on.
    if (inner.#info !== undefined) untrackUnhandled(inner.#info);
    self.result = inner.result;
    inner.result = undefined;
    return false;
  }

  /**
   * Runs the chain. Iterative, with an explicit stack of Deferreds (an inner one hands its result to the
   * outer one by pushing it), so chains nested or queued 100,000 deep never grow the JavaScript stack.
   * As in Twisted, a pause stops a run only between Deferreds, not between the callbacks of one; so a run
   * `resumed` right after a fast-path callback skips the first pause check.
   */
  static #run(self: Deferred<any>, resumed = false): void {
    if (self.#state & RUNNING) return;
    let current: Deferred<any> = self;
    // Deferreds that handed their result to an outer one, to finish after it (Twisted's `chain`, minus
    // the top); made only when that happens, so a plain run allocates nothing.
    let below: Deferred<any>[] | undefined;
    let checkPause = !resumed;
    for (;;) {
      if (checkPause && current.#state >= PAUSE) return;
      checkPause = true;
      if (current.#info !== undefined) untrackUnhandled(current.#info);
      let r = current.result;
      if (isSpecial(r) && !(r instanceof Failure)) {
        if (!(r instanceof Deferred)) r = current.result = Deferred.fromPromise(r);
        if (r === current) current.result = new Failure(new TypeError('a callback returned the Deferred it was added to'));
        else if (Deferred.#waitOn(current, r)) return;
      }
      let outer: Deferred<any> | undefined;
      const links = current.#links;
      if (links !== undefined) {
        let pos: number = links[0];
        let waiting = false;
        while (pos < links.length) {
          const failed = current.result instanceof Failure;
          const fn: Callback | null = links[failed ? pos + 1 : pos];
          const args: any = links[failed ? pos + 3 : pos + 2];
          pos += 4;
          if (fn === null) continue;
          if (fn === CONTINUE) {
            outer = args as Deferred<any>;
            outer.result = current.result;
            current.result = undefined;
            outer.#state -= PAUSE;
            break;
          }
          current.#state |= RUNNING;
          try {
            r = args === undefined ? fn(current.result) : fn(current.result, ...args);
          } catch (e) {
            r = e instanceof Failure ? e : new Failure(e);
          }
          current.#state &= ~RUNNING;
          if (isSpecial(r) && !(r instanceof Failure)) {
            if (r === current) r = new Failure(new TypeError('a callback returned the Deferred it was added to'));
            else if (!(r instanceof Deferred)) r = Deferred.fromPromise(r);
          }
          current.result = r;
          if (r instanceof Deferred && Deferred.#waitOn(current, r)) {
            waiting = true;
            break;
          }
        }
        links[0] = pos;
        if (pos >= links.length && current.#links === links) current.#links = undefined;
        if (waiting) return;
      }
      if (outer !== undefined) {
        (below ??= []).push(current);
        current = outer;
        continue;
      }
      if (current.result instanceof Failure) trackUnhandled(current, (current.#info ??= { failure: undefined, creator: undefined, firer: undefined }), current.result);
      if (below === undefined || below.length === 0) return;
      current = below.pop()!;
    }
  }
}
