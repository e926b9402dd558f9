/**
 * `AckScheduler`: one timer for the delayed acknowledgements of many sessions on the same clock (a server's
 * pages). A session with a timer of its own schedules a delayed call for each bare ACK it owes, and under a
 * broadcast a second to every page that is one call per page per second, each living about `ackDelay`:
 * long enough to outlive the young generation and be collected only by a full GC. Here a session waiting to
 * acknowledge is a slot in an array (it knows its slot, so leaving is a swap with the last), and one call on
 * the clock is armed for the earliest deadline.
 * @module
 */
import { cancelTimer } from './timers.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';

/** What the scheduler holds: a session that owes a bare ACK. */
export interface AckMember {
  /** When the ACK is due (the clock's seconds); the member sets it before `add` and keeps it while added. */
  ackAt: number;
  /** The member's index in its scheduler, -1 while in none; the scheduler keeps it. */
  ackSlot: number;
  /** Sends the ACK now (it is no longer in the scheduler). */
  ackDue(): void;
}

/**
 * Runs each added member's `ackDue` at its `ackAt` or up to `early` seconds before it: all the ACKs due
 * within `early` of the first go out together, so the timer fires at most once per `early` seconds under a
 * steady stream, whatever the number of members. A deadline is never missed (`early` only brings ACKs
 * forward, which the peer takes as well).
 */
export class AckScheduler {
  readonly clock: IReactorTime;
  /** Seconds an ACK may go out before its deadline, to share a timer with the ones due just before it. */
  readonly early: number;
  readonly #members: AckMember[] = [];
  #timer: IDelayedCall | null = null;
  /** The time the timer is armed for (Infinity when it is not). */
  #armedAt = Infinity;

  constructor(clock: IReactorTime, early: number) {
    this.clock = clock;
    this.early = early;
  }

  /** Number of members waiting. */
  get size(): number {
    return this.#members.length;
  }

  /** Starts waiting for `member.ackAt`; a member already in is left as it is. */
  add(member: AckMember): void {
    if (this.#has(member)) return;
    member.ackSlot = this.#members.length;
    this.#members.push(member);
    if (member.ackAt < this.#armedAt) this.#arm(member.ackAt);
  }

  /** Stops waiting for `member` (its ACK went out with something else, or its link went away). */
  delete(member: AckMember): void {
    if (!this.#has(member)) return;
    const members = this.#members;
    const last = members.pop()!;
    if (last !== member) {
      members[member.ackSlot] = last;
      last.ackSlot = member.ackSlot;
    }
    member.ackSlot = -1;
    if (members.length > 0) return;
    cancelTimer(this.#timer);
    this.#timer = null;
    this.#armedAt = Infinity;
  }

  #has(member: AckMember): boolean {
    return member.ackSlot >= 0 && this.#members[member.ackSlot] === member;
  }

  #arm(at: number): void {
    cancelTimer(this.#timer);
    this.#armedAt = at;
    this.#timer = this.clock.callLater(Math.max(0, at - this.clock.seconds()), AckScheduler.#fire, this);
  }

  static #fire(scheduler: AckScheduler): void {
    scheduler.#timer = null;
    scheduler.#armedAt = Infinity;
    const limit = scheduler.clock.seconds() + scheduler.early;
    const members = scheduler.#members;
    // From the end: a member leaving (this one, or another one from its `ackDue`) is replaced by the last,
    // which has been visited already; one added meanwhile is due later than `limit` and waits for the next turn.
    for (let i = members.length - 1; i >= 0; i--) {
      const member = members[i];
      if (member === undefined || member.ackAt > limit) continue;
      scheduler.delete(member);
      member.ackDue();
    }
    let first = Infinity;
    for (const member of members) if (member.ackAt < first) first = member.ackAt;
    if (first < scheduler.#armedAt) scheduler.#arm(first);
  }
}
