/**
 * The idle heartbeat of a WebSocket: after `interval` seconds without hearing from the peer, ping it; if
 * nothing at all arrives within `timeout` seconds more, the peer is taken for dead.
 *
 * Traffic only sets a flag (`heard`), which the timer inspects when it fires: no timer is reset per read.
 * @module
 */
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';

/** Hooks the heartbeat calls. */
export interface HeartbeatHooks {
  /** Sends a ping. */
  ping(): void;
  /** The peer stayed silent after a ping: drop the connection. */
  dead(): void;
  /** True while silence proves nothing (we paused reading) or pinging is over (closing). */
  exempt(): boolean;
}

/** An idle heartbeat on a clock (see the module comment). */
export class Heartbeat {
  /** Set on every read; cleared each time the timer looks at it. */
  heard = false;
  readonly #clock: IReactorTime;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #hooks: HeartbeatHooks;
  #call: IDelayedCall | null = null;

  constructor(clock: IReactorTime, interval: number, timeout: number, hooks: HeartbeatHooks) {
    this.#clock = clock;
    this.#interval = interval;
    this.#timeout = timeout;
    this.#hooks = hooks;
  }

  /** Starts the timer (a no-op when the interval is 0). */
  start(): void {
    if (this.#interval > 0) this.#call = this.#clock.callLater(this.#interval, () => this.#tick());
  }

  /** Stops it for good. */
  stop(): void {
    if (this.#call?.active()) this.#call.cancel();
    this.#call = null;
  }

  #quiet(): boolean {
    if (!this.heard && !this.#hooks.exempt()) return true;
    this.heard = false;
    this.#call = this.#clock.callLater(this.#interval, () => this.#tick());
    return false;
  }

  #tick(): void {
    this.#call = null;
    if (!this.#quiet()) return;
    this.#hooks.ping();
    this.#call = this.#clock.callLater(this.#timeout, () => {
      this.#call = null;
      if (this.#quiet()) this.#hooks.dead();
    });
  }
}
