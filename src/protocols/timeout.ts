/**
 * Idle timeouts (Twisted's `policies.TimeoutMixin`), as a helper class and as a mixin. Browser-safe.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { IDelayedCall, IReactorTime, ITransport } from '../internet/interfaces.js';
import { defaultReactor } from '../time/default-reactor.js';

/**
 * A restartable idle timer: `onTimeout` runs once `seconds` pass without a `resetTimeout`.
 *
 * @example
 * const idle = new IdleTimeout(() => transport.loseConnection(), reactor);
 * idle.setTimeout(60);        // drop after a minute of silence
 * // in dataReceived: idle.resetTimeout();
 */
export class IdleTimeout {
  /** The current period in seconds, or null when off. */
  timeOut: number | null = null;
  #call: IDelayedCall | null = null;

  /**
   * @param onTimeout what to run when the period passes
   * @param clock where time comes from: the environment's reactor by default, or a test `Clock`
   */
  constructor(
    readonly onTimeout: () => void,
    public clock: IReactorTime = defaultReactor(),
  ) {}

  /** Sets (or with null, turns off) the period, restarting the timer. Returns the previous period. */
  setTimeout(period: number | null): number | null {
    const prev = this.timeOut;
    this.timeOut = period;
    if (this.#call !== null) {
      if (period === null) {
        this.#call.cancel();
        this.#call = null;
      } else {
        this.#call.reset(period);
      }
    } else if (period !== null) {
      this.#call = this.clock.callLater(period, () => this.#fire());
    }
    return prev;
  }

  /** Restarts the timer (call it on activity). Does nothing when off. */
  resetTimeout(): void {
    if (this.timeOut !== null && this.#call !== null) this.#call.reset(this.timeOut);
  }

  /** True while a timeout is pending. */
  get pending(): boolean {
    return this.#call !== null;
  }

  #fire(): void {
    this.#call = null;
    this.timeOut = null;
    this.onTimeout();
  }
}

/**
 * The mixin's timers, kept outside the instances: a class expression with `#private` members cannot be
 * described in the emitted declaration files.
 */
const timers = new WeakMap<object, IdleTimeout>();

function idleOf(p: { timeoutConnection(): void }): IdleTimeout {
  let idle = timers.get(p);
  if (idle === undefined) {
    idle = new IdleTimeout(() => p.timeoutConnection());
    timers.set(p, idle);
  }
  return idle;
}

/** What the mixin needs from its base: a transport, and optionally `connectionLost`. */
export interface TimeoutMixinBase {
  transport: ITransport;
  connectionLost?(reason: Failure): void;
}

/**
 * Adds Twisted's `TimeoutMixin` API to a protocol class: `setTimeout(seconds)`, `resetTimeout()`, and
 * `timeoutConnection()` (override it; the default drops the connection). Set `clock` to a test `Clock` or the
 * reactor. The timer is cancelled when the connection is lost, so a closed protocol never times out.
 *
 * @example
 * class Chat extends TimeoutMixin(LineReceiver) {
 *   override connectionMade() { this.setTimeout(300); }
 *   override lineReceived(line: Uint8Array) { this.resetTimeout(); ... }
 * }
 */
export function TimeoutMixin<B extends new (...args: any[]) => TimeoutMixinBase>(Base: B) {
  return class Timeout extends Base {
    /** Where time comes from; the environment's reactor by default. */
    clock: IReactorTime = defaultReactor();

    /** The current period in seconds, or null when off. */
    get timeOut(): number | null {
      return idleOf(this).timeOut;
    }

    /** Sets (or with null, turns off) the idle period, restarting the timer. Returns the previous period. */
    setTimeout(period: number | null): number | null {
      idleOf(this).clock = this.clock;
      return idleOf(this).setTimeout(period);
    }

    /** Restarts the idle timer: call it whenever there is activity. */
    resetTimeout(): void {
      idleOf(this).resetTimeout();
    }

    /** Called when the period passes with no `resetTimeout`; the default drops the connection. */
    timeoutConnection(): void {
      this.transport.loseConnection();
    }

    override connectionLost(reason: Failure): void {
      idleOf(this).setTimeout(null);
      super.connectionLost?.(reason);
    }
  };
}
