/**
 * A reactor for the page: `callLater` on the page's timers, with the `DelayedCall` handles of the Node
 * reactor, so protocols that take an `IReactorTime` (idle timeouts, keepalives, throttles) run unchanged
 * in a browser. The page owns the event loop; this only schedules into it.
 * @module
 */
import { Failure } from '../../defer/index.js';
import type { DelayedCall } from '../../time/delayed-call.js';
import { installReactor } from '../../time/default-reactor.js';
import { Logger } from '../../logger/index.js';
import { platformTimers, TimerClock } from '../../time/timer-clock.js';
import type { BrowserTimers, IBrowserReactor } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.live.loop' });

/** The page's own timers (also Node's, which is how the unit tests run it). */
export function pageTimers(): BrowserTimers {
  return platformTimers();
}

/**
 * Torsion's reactor time in a page.
 *
 * @example
 * const reactor = new BrowserReactor();
 * const call = reactor.callLater(30, () => transport.loseConnection());
 * call.reset(30);   // the peer spoke: push the idle timeout back
 */
export class BrowserReactor extends TimerClock implements IBrowserReactor {
  readonly running = true;

  /** @param timers where to schedule; the page's timers by default */
  constructor(timers: BrowserTimers = pageTimers()) {
    super(timers);
  }

  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    try {
      fn(...args);
    } catch (e) {
      log.failure('callWhenRunning function failed', new Failure(e));
    }
  }

  /** What a delayed call throws is logged, not left to the page's error handler. */
  protected override runCall(call: DelayedCall): void {
    try {
      call.run();
    } catch (e) {
      log.failure('delayed call {call} failed', new Failure(e), { call: String(call) });
    }
  }
}

const shared = new BrowserReactor();
// The page's reactor is the environment's, unless the Node reactor is there (tests run page code in Node).
installReactor(shared, { keepExisting: true });

/** The page's shared reactor (the default reactor of a page). */
export function browserReactor(): BrowserReactor {
  return shared;
}
