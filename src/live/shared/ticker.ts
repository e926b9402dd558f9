/**
 * `HeartbeatTicker`: one timer for the heartbeats of many sessions on the same clock (a server's pages).
 * A session with a timer of its own holds a scheduled call and a closure while it is attached, and
 * re-arms it at every step; here it is one slot in an array (a member knows its slot, so leaving is a swap
 * with the last), visited every `step` seconds.
 * @module
 */
import { cancelTimer } from './timers.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';

/** What the ticker visits. */
export interface HeartbeatMember {
  /** Checks the member's heartbeat at the clock's time `now`. */
  heartbeat(now: number): void;
  /** The member's index in its ticker, -1 while in none; the ticker keeps it (a member is in one ticker at most). */
  tickerSlot: number;
}

/** Visits every added member each `step` seconds while any is added. */
export class HeartbeatTicker {
  readonly clock: IReactorTime;
  /** Seconds between visits. */
  readonly step: number;
  readonly #members: HeartbeatMember[] = [];
  #timer: IDelayedCall | null = null;

  constructor(clock: IReactorTime, step: number) {
    this.clock = clock;
    this.step = step;
  }

  /** Number of members. */
  get size(): number {
    return this.#members.length;
  }

  /** Starts visiting `member` (its first visit comes within `step` seconds). */
  add(member: HeartbeatMember): void {
    if (this.#has(member)) return;
    member.tickerSlot = this.#members.length;
    this.#members.push(member);
    this.#timer ??= this.clock.callLater(this.step, () => this.#run());
  }

  /** Stops visiting `member`. */
  delete(member: HeartbeatMember): void {
    if (!this.#has(member)) return;
    const members = this.#members;
    const last = members.pop()!;
    if (last !== member) {
      members[member.tickerSlot] = last;
      last.tickerSlot = member.tickerSlot;
    }
    member.tickerSlot = -1;
    if (members.length > 0) return;
    cancelTimer(this.#timer);
    this.#timer = null;
  }

  #has(member: HeartbeatMember): boolean {
    return member.tickerSlot >= 0 && this.#members[member.tickerSlot] === member;
  }

  #run(): void {
    this.#timer = null;
    const now = this.clock.seconds();
    // A member deleted during the visit (a dead link dropped) is skipped; one added is visited next time.
    const members = this.#members.slice();
    for (const member of members) if (this.#has(member)) member.heartbeat(now);
    if (this.#members.length > 0) this.#timer ??= this.clock.callLater(this.step, () => this.#run());
  }
}
