/**
 * A reactor for the page: `callLater` on the page's timers, with the `DelayedCall` handles of the Node
 * reactor, so protocols that take an `IReactorTime` (idle timeouts, keepalives, throttles) run unchanged
 * in a browser. The page owns the event loop; this only schedules into it.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { DelayedCall, checkDelay, type DelayedCallHooks } from '../../internet/delayed-call.js';
import { Logger } from '../../logger/index.js';
import type { BrowserTimers, IBrowserReactor } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.live.loop' });

/**
 * The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days): longer ones fire at once in
 * browsers, so a longer call is armed in steps.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The page's own timers (also Node's, which is how the unit tests run it). */
export function pageTimers(): BrowserTimers {
  return {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => globalThis.performance.now(),
  };
}

/**
 * Torsion's reactor time in a page.
 *
 * @example
 * const reactor = new BrowserReactor();
 * const call = reactor.callLater(30, () => transport.loseConnection());
 * call.reset(30);   // the peer spoke: push the idle timeout back
 */
export class BrowserReactor implements IBrowserReactor {
  readonly running = true;
  readonly #timers: BrowserTimers;
  readonly #handles = new Map<DelayedCall, unknown>();
  readonly #hooks: DelayedCallHooks = {
    seconds: () => this.seconds(),
    onCancel: (call) => this.#disarm(call),
    onReset: (call) => {
      this.#disarm(call);
      this.#arm(call);
    },
  };

  /** @param timers where to schedule; the page's timers by default */
  constructor(timers: BrowserTimers = pageTimers()) {
    this.#timers = timers;
  }

  /** Seconds on the page's monotonic clock (since the page started). */
  seconds(): number {
    return this.#timers.now() / 1000;
  }

  /** Runs `fn(...args)` after `seconds`; what it throws is logged, not left to the page's error handler. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    const call = new DelayedCall(this.seconds() + checkDelay(seconds), fn as (...args: unknown[]) => unknown, args, this.#hooks);
    this.#arm(call);
    return call;
  }

  /** The calls still pending. */
  getDelayedCalls(): DelayedCall[] {
    return [...this.#handles.keys()];
  }

  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    try {
      fn(...args);
    } catch (e) {
      log.failure('callWhenRunning function failed', new Failure(e));
    }
  }

  #arm(call: DelayedCall): void {
    const ms = Math.max(0, (call.getTime() - this.seconds()) * 1000);
    const step = Math.min(ms, MAX_TIMEOUT_MS);
    const handle = this.#timers.setTimeout(() => {
      this.#handles.delete(call);
      if (step < ms) this.#arm(call);
      else this.#run(call);
    }, step);
    this.#handles.set(call, handle);
  }

  #disarm(call: DelayedCall): void {
    if (!this.#handles.has(call)) return;
    this.#timers.clearTimeout(this.#handles.get(call));
    this.#handles.delete(call);
  }

  #run(call: DelayedCall): void {
    try {
      call.run();
    } catch (e) {
      log.failure('delayed call {call} failed', new Failure(e), { call: String(call) });
    }
  }
}

let shared: BrowserReactor | undefined;

/** The page's shared reactor, made on first use. */
export function browserReactor(): BrowserReactor {
  return (shared ??= new BrowserReactor());
}
