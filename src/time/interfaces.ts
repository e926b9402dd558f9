/**
 * The one time interface of Torsion: every timeout, retry, heartbeat, throttle and pool schedules through
 * an `IReactorTime` (the reactor, a page's reactor, or a test `Clock`). Durations are in seconds.
 * Type-only: this file emits no code.
 * @module
 */

/** A call scheduled with `callLater`. */
export interface IDelayedCall {
  /** When it will run, in the reactor's seconds. */
  getTime(): number;
  /** Stops it from running; throws `AlreadyCancelled` / `AlreadyCalled` as Twisted. */
  cancel(): void;
  /** Reschedules it `seconds` from now. */
  reset(seconds: number): void;
  /** Postpones it by `seconds` more. */
  delay(seconds: number): void;
  /** True until it has run or been cancelled. */
  active(): boolean;
}

/** Scheduling in time. `Clock` from `torsion/testing` implements it for tests. */
export interface IReactorTime {
  /** Runs `fn(...args)` after `seconds`. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** The current time, in seconds. */
  seconds(): number;
  /** The calls still pending. */
  getDelayedCalls(): IDelayedCall[];
}
