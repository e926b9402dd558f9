/**
 * `TimeoutWheel`: many deadlines behind one delayed call. A server with thousands of idle connections needs a
 * timeout per connection (a registration deadline, an idle ping); a delayed call each costs an object, its
 * arguments and a slot in the reactor's heap per connection. The wheel instead files each owner under the
 * whole tick its deadline falls in (a map entry, nothing else) and keeps ONE call on the clock, armed for the
 * earliest tick that holds anything. A deadline is never met early, and at most one tick (`granularity`
 * seconds) late. With nothing filed, nothing is scheduled, so `getDelayedCalls()` is empty and a stopped
 * reactor is not held open.
 * @module
 */
import type { IDelayedCall, IReactorTime } from './interfaces.js';

/**
 * Deadlines for owners of type `T` on an {@link IReactorTime}. Each owner has at most one deadline at a time
 * and remembers it: `remove` and `move` take it back, so the wheel needs no index of its own.
 *
 * @example
 * const wheel = new TimeoutWheel<Conn>(reactor, (conn) => conn.timedOut());
 * conn.deadline = reactor.seconds() + 60;
 * wheel.add(conn, conn.deadline);
 */
export class TimeoutWheel<T> {
  /** Tick number → owner → its deadline (seconds). A tick `k` holds deadlines in `((k - 1) * g, k * g]`. */
  readonly #ticks = new Map<number, Map<T, number>>();
  #call: IDelayedCall | undefined;
  /** The tick the call is armed for. */
  #armedTick = Infinity;

  /**
   * @param clock where the one call is scheduled and the time read
   * @param expire called with each owner whose deadline has come (it is no longer filed; it may file again)
   * @param granularity the tick, in seconds: how late a deadline may be met (1 by default)
   */
  constructor(
    readonly clock: IReactorTime,
    readonly expire: (owner: T) => void,
    readonly granularity = 1,
  ) {
    if (!(granularity > 0)) throw new RangeError('TimeoutWheel granularity must be positive');
  }

  /** How many owners are filed. */
  get size(): number {
    let n = 0;
    for (const tick of this.#ticks.values()) n += tick.size;
    return n;
  }

  /** Files `owner` to expire at `deadline` (the clock's seconds). It must not be filed already. */
  add(owner: T, deadline: number): void {
    const k = this.#tickOf(deadline);
    let tick = this.#ticks.get(k);
    if (tick === undefined) this.#ticks.set(k, (tick = new Map()));
    tick.set(owner, deadline);
    if (k < this.#armedTick) this.#arm(k);
  }

  /** Unfiles `owner`, filed with `deadline`; nothing happens if it is not filed there. */
  remove(owner: T, deadline: number): void {
    const k = this.#tickOf(deadline);
    const tick = this.#ticks.get(k);
    if (tick === undefined || !tick.delete(owner) || tick.size > 0) return;
    this.#ticks.delete(k);
    if (k === this.#armedTick) this.#rearm(this.clock.seconds());
  }

  /** Moves `owner` from `previous` to `deadline`. */
  move(owner: T, previous: number, deadline: number): void {
    this.remove(owner, previous);
    this.add(owner, deadline);
  }

  /** Unfiles every owner and cancels the call. */
  clear(): void {
    this.#ticks.clear();
    this.#disarm();
  }

  #tickOf(deadline: number): number {
    return Math.ceil(deadline / this.granularity);
  }

  #arm(k: number, at = k * this.granularity): void {
    this.#call?.cancel();
    this.#armedTick = k;
    this.#call = this.clock.callLater(Math.max(0, at - this.clock.seconds()), TimeoutWheel.#fire, this);
  }

  #disarm(): void {
    if (this.#call?.active()) this.#call.cancel();
    this.#call = undefined;
    this.#armedTick = Infinity;
  }

  static #fire<T>(wheel: TimeoutWheel<T>): void {
    wheel.#call = undefined;
    wheel.#armedTick = Infinity;
    const now = wheel.clock.seconds();
    const last = wheel.#tickOf(now);
    const due = [...wheel.#ticks.keys()].filter((k) => k <= last).sort((a, b) => a - b);
    for (const k of due) {
      const tick = wheel.#ticks.get(k)!;
      // Deadlines later than now (the current tick, reached early by rounding) stay filed for the next call.
      for (const [owner, deadline] of tick) {
        if (deadline > now) continue;
        tick.delete(owner);
        wheel.#expire(owner);
      }
      if (tick.size === 0 && wheel.#ticks.get(k) === tick) wheel.#ticks.delete(k);
    }
    wheel.#rearm(now);
  }

  #expire(owner: T): void {
    try {
      this.expire(owner);
    } catch (e) {
      // One owner's failure must not strand the others filed after it; the clock reports what its calls throw.
      this.clock.callLater(0, () => {
        throw e;
      });
    }
  }

  /** Arms the call for the earliest tick that holds anything (or its earliest deadline, if that tick has begun). */
  #rearm(now: number): void {
    let first = Infinity;
    for (const k of this.#ticks.keys()) if (k < first) first = k;
    if (first === Infinity) return this.#disarm();
    if (first * this.granularity > now) {
      if (first !== this.#armedTick || this.#call === undefined) this.#arm(first);
      return;
    }
    let soonest = Infinity;
    for (const deadline of this.#ticks.get(first)!.values()) if (deadline < soonest) soonest = deadline;
    this.#arm(first, soonest);
  }
}
