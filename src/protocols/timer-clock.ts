/**
 * A real-time `IReactorTime` built on the platform's `setTimeout`, the default clock of the timeouts and
 * throttles here. It lets `torsion/protocols` keep its promise of running in a browser, where the Node
 * reactor does not exist; pass the reactor (or a test `Clock`) instead wherever a `clock` is taken.
 * @module
 */
import { DelayedCall, checkDelay, type DelayedCallHooks } from '../internet/delayed-call.js';
import type { IReactorTime } from '../internet/interfaces.js';

/** The timers a {@link TimerClock} runs on: the platform's by default, fakes in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic clock (`performance.now()`). */
  now(): number;
}

/**
 * The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days): longer ones fire at once, so a
 * longer call is armed in steps.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The platform's own timers (a page's, or Node's). */
export function platformTimers(): Timers {
  return {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => globalThis.performance.now(),
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

  /** Seconds on the monotonic clock (since the page or process started). */
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

/** The shared real-time clock (seconds since the page or process started). */
export const timerClock: IReactorTime = new TimerClock();
