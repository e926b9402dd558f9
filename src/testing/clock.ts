/**
 * `Clock`: a fake `IReactorTime` whose time moves only when a test says so (Twisted's
 * `twisted.internet.task.Clock`). Timeouts, retries and heartbeats are tested with it instead of sleeping.
 * @module
 */
import { DelayedCall, checkDelay, type DelayedCallHooks } from '../time/delayed-call.js';
import type { IReactorTime } from '../time/interfaces.js';

/**
 * A deterministic clock. Time starts at 0 and moves with {@link Clock.advance}; due calls run inside
 * `advance`, in order of time and, for equal times, in the order they were scheduled.
 *
 * @example
 * const clock = new Clock();
 * const d = new Deferred<string>().addTimeout(30, clock);
 * clock.advance(29); // nothing yet
 * clock.advance(1);  // d fails with TimeoutError, synchronously
 */
export class Clock implements IReactorTime {
  #now = 0;
  /** Pending calls, sorted by time; equal times keep scheduling order. */
  readonly #calls: DelayedCall[] = [];
  readonly #hooks: DelayedCallHooks = {
    seconds: () => this.#now,
    onCancel: (call) => this.#remove(call),
    onReset: (call) => {
      this.#remove(call);
      this.#insert(call);
    },
  };

  /** The current fake time, in seconds. */
  seconds(): number {
    return this.#now;
  }

  /** Schedules `fn(...args)` for `seconds` from now. It runs during the `advance` that reaches that time. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    const call = new DelayedCall(this.#now + checkDelay(seconds), fn as (...args: unknown[]) => unknown, args, this.#hooks);
    this.#insert(call);
    return call;
  }

  /** The calls still pending, soonest first. */
  getDelayedCalls(): DelayedCall[] {
    return [...this.#calls];
  }

  /**
   * Moves time forward by `amount` seconds and runs every call that has come due, including calls those
   * calls schedule for a time already reached (a `callLater(0, ...)` made during `advance` runs in it too,
   * as in Twisted). An error thrown by a call propagates to the test; the calls after it stay pending.
   *
   * As in Twisted, time jumps first: calls due during the jump run once each and see the new time, so a
   * 10-second timer rescheduling itself runs once in `advance(60)`, late, not six times. To let time pass
   * step by step, use `pump([10, 10, 10])`.
   */
  advance(amount: number): void {
    this.#now += checkDelay(amount);
    const calls = this.#calls;
    while (calls.length > 0 && calls[0].getTime() <= this.#now) {
      calls.shift()!.run();
    }
  }

  /** Advances by each amount in turn: `pump([0, 1, 1])` is `advance(0); advance(1); advance(1)`. */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }

  #insert(call: DelayedCall): void {
    const calls = this.#calls;
    const t = call.getTime();
    // Upper bound: after every call due at or before t, so equal times stay first-scheduled-first-run.
    let lo = 0;
    let hi = calls.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (calls[mid].getTime() <= t) lo = mid + 1;
      else hi = mid;
    }
    calls.splice(lo, 0, call);
  }

  #remove(call: DelayedCall): void {
    const i = this.#calls.indexOf(call);
    if (i >= 0) this.#calls.splice(i, 1);
  }
}
