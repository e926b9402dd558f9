/**
 * `DelayedCall`: the handle `callLater` returns (Twisted's `twisted.internet.base.DelayedCall`), shared by the
 * fake `Clock` of `torsion/testing` and the real reactor. It knows nothing about timers: the scheduler that
 * creates it hands it a time source and two hooks, and runs it with {@link DelayedCall.run} when it is due.
 * @module
 */
import { AlreadyCalled, AlreadyCancelled } from './errors.js';
import type { IDelayedCall } from './interfaces.js';

/** What a scheduler lends each of its calls. */
export interface DelayedCallHooks {
  /** The scheduler's current time, in seconds (used by `reset`). */
  seconds(): number;
  /** The call was cancelled: drop it from the schedule. */
  onCancel(call: DelayedCall): void;
  /** The call's time changed (`reset` or `delay`): move it in the schedule. */
  onReset(call: DelayedCall): void;
}

/**
 * A call scheduled for a point in time. `cancel` and `reset` throw `AlreadyCancelled` or `AlreadyCalled`
 * once it can no longer change, as Twisted's do, so a bug that cancels a timer twice shows up.
 *
 * @example
 * const call = clock.callLater(5, () => console.log('timeout'));
 * call.reset(10);   // now due 10 s from now
 * call.cancel();    // never runs; a second cancel() throws AlreadyCancelled
 */
export class DelayedCall implements IDelayedCall {
  /** True once the scheduler has started running it. */
  called = false;
  /** True once cancelled. */
  cancelled = false;
  #time: number;
  readonly #hooks: DelayedCallHooks;

  /**
   * @param time when it is due, in the scheduler's seconds
   * @param fn what to run
   * @param args arguments for `fn`
   * @param hooks the scheduler's time source and bookkeeping
   */
  constructor(
    time: number,
    readonly fn: (...args: any[]) => unknown,
    readonly args: readonly unknown[],
    hooks: DelayedCallHooks,
  ) {
    this.#time = time;
    this.#hooks = hooks;
  }

  /** When it is due, in the scheduler's seconds. */
  getTime(): number {
    return this.#time;
  }

  /** Stops it from running. Throws `AlreadyCancelled` if cancelled before, `AlreadyCalled` if it has run. */
  cancel(): void {
    this.#checkChangeable();
    this.cancelled = true;
    this.#hooks.onCancel(this);
  }

  /** Makes it due `seconds` from now (not from when it was scheduled). */
  reset(seconds: number): void {
    this.#checkChangeable();
    this.#time = this.#hooks.seconds() + checkDelay(seconds);
    this.#hooks.onReset(this);
  }

  /** Postpones it by `seconds` more (negative brings it forward). */
  delay(seconds: number): void {
    this.#checkChangeable();
    if (Number.isNaN(seconds)) throw new RangeError('delay must be a number of seconds, got NaN');
    this.#time += seconds;
    this.#hooks.onReset(this);
  }

  /** True until it has run or been cancelled. */
  active(): boolean {
    return !this.called && !this.cancelled;
  }

  /**
   * For schedulers: marks it called, then runs it and returns what `fn` returned. Errors propagate to the
   * scheduler, which decides whether to log them (the reactor) or let them reach the test (`Clock`).
   */
  run(): unknown {
    this.called = true;
    return this.fn(...this.args);
  }

  toString(): string {
    const state = this.cancelled ? 'cancelled' : this.called ? 'called' : `due at ${this.#time}`;
    return `<DelayedCall ${this.fn.name || 'anonymous'} ${state}>`;
  }

  #checkChangeable(): void {
    if (this.cancelled) throw new AlreadyCancelled(`${this} was already cancelled`);
    if (this.called) throw new AlreadyCalled(`${this} has already been called`);
  }
}

/**
 * Validates a `callLater` delay: a non-negative number of seconds. Returns it, so schedulers can write
 * `now + checkDelay(seconds)`.
 */
export function checkDelay(seconds: number): number {
  if (typeof seconds !== 'number' || Number.isNaN(seconds) || seconds < 0) {
    throw new RangeError(`delay must be a non-negative number of seconds, got ${String(seconds)}`);
  }
  return seconds;
}
