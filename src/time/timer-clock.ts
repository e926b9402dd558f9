/**
 * `TimerClock`: an `IReactorTime` on the platform's `setTimeout`, one platform timer per pending call.
 * It is the time of the page's reactor, and what {@link defaultReactor} hands out where no reactor has
 * been installed. Browser-safe.
 * @module
 */
import { DelayedCall, checkDelay, type DelayedCallHooks } from './delayed-call.js';
import type { IReactorTime } from './interfaces.js';

/** The timers a {@link TimerClock} runs on: the platform's by default, fakes in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

/**
 * The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days): longer ones fire at once, so a
 * longer call is armed in steps.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The platform's own timers (a page's, or Node's), with `now()` in epoch milliseconds from the monotonic
 * clock, as the Node reactor's `seconds()`.
 * @param holdProcess false to leave Node free to exit while calls are pending (no effect in a page)
 */
export function platformTimers(holdProcess = true): Timers {
  return {
    setTimeout: (fn, ms) => {
      const handle = globalThis.setTimeout(fn, ms);
      if (!holdProcess) (handle as { unref?: () => void }).unref?.();
      return handle;
    },
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => globalThis.performance.timeOrigin + globalThis.performance.now(),
  };
}

/** `IReactorTime` on a set of {@link Timers}: each pending `DelayedCall` holds one timer. */
export class TimerClock implements IReactorTime {
  readonly #timers: Timers;
  readonly #handles = new Map<DelayedCall, unknown>();
  readonly #hooks: DelayedCallHooks = {
    seconds: () => this.seconds(),
    onCancel: (call) => this.#disarm(call),
    onReset: (call) => {
      this.#disarm(call);
      this.#arm(call);
    },
  };

  /** @param timers where to schedule; the platform's timers by default */
  constructor(timers: Timers = platformTimers()) {
    this.#timers = timers;
  }

  /** Seconds on the timers' monotonic clock (epoch seconds on the platform's). */
  seconds(): number {
    return this.#timers.now() / 1000;
  }

  /** Runs `fn(...args)` after `seconds`. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    const call = new DelayedCall(this.seconds() + checkDelay(seconds), fn as (...args: unknown[]) => unknown, args, this.#hooks);
    this.#arm(call);
    return call;
  }

  /** The calls still pending. */
  getDelayedCalls(): DelayedCall[] {
    return [...this.#handles.keys()];
  }

  /** Runs a call whose time has come; what it throws goes to the platform's error handler. */
  protected runCall(call: DelayedCall): void {
    call.run();
  }

  #arm(call: DelayedCall): void {
    const ms = Math.max(0, (call.getTime() - this.seconds()) * 1000);
    const step = Math.min(ms, MAX_TIMEOUT_MS);
    const handle = this.#timers.setTimeout(() => {
      this.#handles.delete(call);
      if (step < ms) this.#arm(call);
      else this.runCall(call);
    }, step);
    this.#handles.set(call, handle);
  }

  #disarm(call: DelayedCall): void {
    if (!this.#handles.has(call)) return;
    this.#timers.clearTimeout(this.#handles.get(call));
    this.#handles.delete(call);
  }
}
