/**
 * `HeartbeatTicker`: one timer for the heartbeats of many sessions on the same clock (a server's pages).
 * A session with a timer of its own holds a scheduled call and a closure while it is attached, and
 * re-arms it at every step; here it is one entry in a set, visited every `step` seconds.
 * @module
 */
import { cancelTimer } from './timers.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';

/** What the ticker visits. */
export interface HeartbeatMember {
  /** Checks the member's heartbeat at the clock's time `now`. */
  heartbeat(now: number): void;
}

/** Visits every added member each `step` seconds while any is added. */
export class HeartbeatTicker {
  readonly clock: IReactorTime;
  /** Seconds between visits. */
  readonly step: number;
  readonly #members = new Set<HeartbeatMember>();
  #timer: IDelayedCall | null = null;

  constructor(clock: IReactorTime, step: number) {
    this.clock = clock;
    this.step = step;
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Starts visiting `member` (its first visit comes within `step` seconds). */
  add(member: HeartbeatMember): void {
    this.#members.add(member);
    this.#timer ??= this.clock.callLater(this.step, () => this.#run());
  }

  /** Stops visiting `member`. */
  delete(member: HeartbeatMember): void {
    if (!this.#members.delete(member) || this.#members.size > 0) return;
    cancelTimer(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    this.#timer = null;
    const now = this.clock.seconds();
    // A member deleted during the visit (a dead link dropped) is skipped; one added is visited next time.
    const members = [...this.#members];
    for (const member of members) if (this.#members.has(member)) member.heartbeat(now);
    if (this.#members.size > 0) this.#timer ??= this.clock.callLater(this.step, () => this.#run());
  }
}
