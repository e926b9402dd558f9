/**
 * The idle heartbeat of a WebSocket: after `interval` seconds without hearing from the peer, ping it; if
 * nothing at all arrives within `timeout` seconds more, the peer is taken for dead.
 *
 * Traffic only sets a flag (`heard`), which the timer inspects when it fires: no timer is reset per read.
 * A server holds one per connection, so it makes no closures: the hooks are the connection's own methods
 * and the timer calls a shared function with the heartbeat as its argument.
 * @module
 */
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';

/** Hooks the heartbeat calls (methods of the connection it watches). */
export interface HeartbeatHooks {
  /** Sends a ping. */
  ping(): void;
  /** The peer stayed silent after a ping: drop the connection. */
  heartbeatDead(): void;
  /** True while silence proves nothing (we paused reading) or pinging is over (closing). */
  heartbeatExempt(): boolean;
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
    if (this.#interval > 0) this.#call = this.#clock.callLater(this.#interval, Heartbeat.#tick, this);
  }

  /** Stops it for good. */
  stop(): void {
    if (this.#call?.active()) this.#call.cancel();
    this.#call = null;
  }

  #quiet(): boolean {
    if (!this.heard && !this.#hooks.heartbeatExempt()) return true;
    this.heard = false;
    this.#call = this.#clock.callLater(this.#interval, Heartbeat.#tick, this);
    return false;
  }

  static #tick(heartbeat: Heartbeat): void {
    heartbeat.#call = null;
    if (!heartbeat.#quiet()) return;
    heartbeat.#hooks.ping();
    heartbeat.#call = heartbeat.#clock.callLater(heartbeat.#timeout, Heartbeat.#expired, heartbeat);
  }

  static #expired(heartbeat: Heartbeat): void {
    heartbeat.#call = null;
    if (heartbeat.#quiet()) heartbeat.#hooks.heartbeatDead();
  }
}
