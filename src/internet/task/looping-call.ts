/**
 * `LoopingCall`: call a function every N seconds (Twisted's `twisted.internet.task.LoopingCall`).
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../interfaces.js';
import { reactor } from '../reactor.js';
import { isThenable } from '../../defer/thenable.js';

/**
 * Calls `fn(...args)` every `interval` seconds on `clock` (the reactor unless replaced, e.g. by a test's
 * `Clock`). Calls are aligned to the start time: a slow call makes the loop skip the intervals it overran
 * rather than pile up (see {@link LoopingCall.withCount} to be told how many). A function returning a Deferred
 * or Promise delays the next call until it settles; a failure stops the loop and errbacks `start`'s Deferred.
 *
 * @example
 * const lc = new LoopingCall(() => console.log('tick'));
 * lc.start(1.0).addCallback(() => console.log('stopped'));
 * reactor.callLater(3.5, () => lc.stop());
 */
export class LoopingCall<A extends unknown[] = []> {
  /** The time source. Set it before `start` (tests assign a `Clock`). */
  clock: IReactorTime = reactor;
  /** True between `start` and `stop` (or a failure). */
  running = false;
  /** Seconds between calls, once started. */
  interval: number | undefined;
  /** When `start` was called, on `clock`. */
  starttime: number | undefined;
  /** The function called each interval. */
  readonly fn: (...args: A) => unknown;
  /** Its arguments. */
  readonly args: A;
  #call: IDelayedCall | undefined;
  #deferred: Deferred<this> | undefined;
  #runAtStart = false;
  /** For `withCount`: when the function was last called. */
  #lastTime: number | undefined;

  /** Does not start: call {@link LoopingCall.start}. */
  constructor(fn: (...args: A) => unknown, ...args: A) {
    this.fn = fn;
    this.args = args;
  }

  /**
   * A LoopingCall that calls `countFn(n)`, where `n` is how many intervals passed since the last call
   * (1 normally; more when the clock jumped or a call overran, so the skipped calls can be made up for).
   *
   * @example
   * const lc = LoopingCall.withCount((n) => { frames += n; });
   */
  static withCount(countFn: (count: number) => unknown): LoopingCall {
    const lc: LoopingCall = new LoopingCall(() => lc.#counted(countFn));
    return lc;
  }

  /** The Deferred `start` returned, while running. */
  get deferred(): Deferred<this> | undefined {
    return this.#deferred;
  }

  /**
   * Starts calling every `interval` seconds, at once too unless `now` is false. The Deferred fires with this
   * LoopingCall when `stop` is called, or fails with the function's failure.
   */
  start(interval: number, now = true): Deferred<this> {
    if (this.running) throw new Error('Tried to start an already running LoopingCall.');
    if (!(interval >= 0)) throw new RangeError(`interval must be >= 0 seconds, got ${interval}`);
    this.running = true;
    const d = (this.#deferred = new Deferred<this>());
    this.starttime = this.clock.seconds();
    this.interval = interval;
    this.#runAtStart = now;
    this.#lastTime = undefined;
    if (now) this.#run();
    else this.#scheduleFrom(this.starttime);
    return d;
  }

  /** Stops the loop; `start`'s Deferred fires (once a call in progress has finished). */
  stop(): void {
    if (!this.running) throw new Error('Tried to stop a LoopingCall that was not running.');
    this.running = false;
    if (this.#call) {
      this.#call.cancel();
      this.#call = undefined;
      this.#finish();
    }
  }

  /** Restarts the interval from now, without calling. */
  reset(): void {
    if (!this.running) throw new Error('Tried to reset a LoopingCall that was not running.');
    if (this.#call) {
      this.#call.cancel();
      this.#call = undefined;
      this.starttime = this.clock.seconds();
      this.#scheduleFrom(this.starttime);
    }
  }

  #run(): void {
    this.#call = undefined;
    let result: unknown;
    try {
      result = this.fn(...this.args);
    } catch (e) {
      this.#fail(e instanceof Failure ? e : new Failure(e));
      return;
    }
    if (result instanceof Deferred || isThenable(result)) {
      const d = result instanceof Deferred ? result : Deferred.fromPromise(result as PromiseLike<unknown>);
      d.addCallbacks(() => this.#after(), (f: Failure) => this.#fail(f));
    } else {
      this.#after();
    }
  }

  #after(): void {
    if (this.running) this.#scheduleFrom(this.clock.seconds());
    else this.#finish();
  }

  #fail(f: Failure): void {
    this.running = false;
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.errback(f);
  }

  #finish(): void {
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.callback(this);
  }

  /** Schedules the next call at the next interval boundary after `when`, counted from the start time. */
  #scheduleFrom(when: number): void {
    const interval = this.interval!;
    let delay = 0;
    if (interval > 0) {
      const runningFor = when - this.starttime!;
      delay = interval - (runningFor % interval);
      // Floating point: a boundary too close to `when` to move the clock counts as a whole interval.
      if (when === when + delay) delay = interval;
    }
    this.#call = this.clock.callLater(delay, () => this.#run());
  }

  #counted(countFn: (count: number) => unknown): unknown {
    const now = this.clock.seconds();
    if (this.interval === 0) {
      this.#lastTime = now;
      return countFn(1);
    }
    let last = this.#lastTime;
    if (last === undefined) {
      last = this.starttime!;
      if (this.#runAtStart) last -= this.interval!;
    }
    const count = this.#intervalOf(now) - this.#intervalOf(last);
    if (count > 0) {
      this.#lastTime = now;
      return countFn(count);
    }
    return undefined;
  }

  #intervalOf(t: number): number {
    return Math.trunc((t - this.starttime!) / this.interval!);
  }
}

