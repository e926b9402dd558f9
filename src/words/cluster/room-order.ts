/**
 * Puts each room's events back in the order of their sequence numbers before they are applied: events that
 * arrive early wait for the missing ones; a gap (an event lost with a node, or while Redis was away) is
 * looked up where the nodes share a history (`fill`) after `gapWait` seconds, and what is still missing then
 * is skipped; a gap is skipped at once when too many events wait behind it.
 * @module
 */
import { Logger } from '../../logger/index.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';

const log = new Logger({ namespace: 'torsion.words.cluster' });

/** The bounds of {@link RoomOrder}. */
export interface RoomOrderLimits {
  gapWait: number;
  maxPendingPerRoom: number;
}

interface Room<E> {
  /** The next sequence number to apply; undefined until the first event is seen. */
  next: number | undefined;
  /** Events up to this one are in the state a running node reported ({@link RoomOrder.startAfter}). */
  floor: number;
  readonly pending: Map<number, E>;
  timer: IDelayedCall | undefined;
  /** A {@link RoomOrder.fill} of this room's gap is under way. */
  filling: boolean;
}

/** Finds events `from` to `to` (inclusive) of `room` elsewhere (a shared history); resolves with those found. */
export type GapFill<E> = (room: string, from: number, to: number) => Promise<[seq: number, event: E][]>;

/** Orders the events of every room by sequence number; `apply` gets them in order. */
export class RoomOrder<E> {
  readonly #rooms = new Map<string, Room<E>>();
  /** Gaps skipped so far (for logs and tests). */
  skipped = 0;

  constructor(
    readonly clock: IReactorTime,
    readonly limits: RoomOrderLimits,
    readonly apply: (room: string, event: E) => void,
    readonly fill?: GapFill<E>,
  ) {}

  /** The last sequence number applied in `room` (0 if none). */
  applied(room: string): number {
    const next = this.#rooms.get(room)?.next;
    return next === undefined ? 0 : next - 1;
  }

  /** Starts `room` after `seq` (what a running node reported), unless events of it were seen already. */
  startAfter(room: string, seq: number): void {
    const r = this.#room(room);
    if (r.next !== undefined) return;
    r.next = seq + 1;
    r.floor = seq;
    for (const s of r.pending.keys()) if (s <= seq) r.pending.delete(s);
    this.#drain(room, r);
  }

  /** Takes event number `seq` of `room`. */
  add(room: string, seq: number, event: E): void {
    const r = this.#room(room);
    if (seq <= r.floor && seq !== 1) return;
    r.next ??= seq;
    if (seq === r.next && r.pending.size === 0) {
      // In order with nothing waiting (nearly every event): applied without passing through the map.
      r.next++;
      this.apply(room, event);
      return;
    }
    if (seq < r.next) {
      // The bus never repeats a message: an older number is an event that came after its gap was skipped,
      // or a counter that started again (Redis restarted without persistence).
      if (seq === 1 || r.next - seq > this.limits.maxPendingPerRoom) {
        log.warn('{room}: its sequence started again at {seq}', { room, seq });
        this.#reset(r, seq);
      } else {
        log.warn('{room}: event {seq} came after its gap was skipped; applied out of order', { room, seq });
        this.apply(room, event);
        return;
      }
    }
    r.pending.set(seq, event);
    this.#drain(room, r);
  }

  /** Forgets rooms with nothing waiting for which `keep` is false. */
  sweep(keep: (room: string) => boolean): void {
    for (const [room, r] of this.#rooms) if (r.pending.size === 0 && !keep(room)) this.#rooms.delete(room);
  }

  /** Cancels every gap timer. */
  close(): void {
    for (const r of this.#rooms.values()) if (r.timer?.active()) r.timer.cancel();
    this.#rooms.clear();
  }

  #room(room: string): Room<E> {
    let r = this.#rooms.get(room);
    if (r === undefined) this.#rooms.set(room, (r = { next: undefined, floor: 0, pending: new Map(), timer: undefined, filling: false }));
    return r;
  }

  #reset(r: Room<E>, seq: number): void {
    r.next = seq;
    r.floor = 0;
    for (const s of r.pending.keys()) if (s < seq) r.pending.delete(s);
  }

  #drain(room: string, r: Room<E>): void {
    for (let e = r.pending.get(r.next!); e !== undefined; e = r.pending.get(r.next!)) {
      r.pending.delete(r.next!);
      r.next!++;
      this.apply(room, e);
    }
    if (r.pending.size === 0) {
      if (r.timer?.active()) r.timer.cancel();
      r.timer = undefined;
    } else if (r.pending.size > this.limits.maxPendingPerRoom) {
      this.#skip(room, r);
    } else if (!r.timer?.active()) {
      r.timer = this.clock.callLater(this.limits.gapWait, () => this.#skip(room, r));
    }
  }

  #skip(room: string, r: Room<E>): void {
    if (r.timer?.active()) r.timer.cancel();
    r.timer = undefined;
    if (r.pending.size === 0) return;
    const first = Math.min(...r.pending.keys());
    const max = this.limits.maxPendingPerRoom;
    if (this.fill !== undefined && !r.filling && r.pending.size <= max && first - r.next! <= max) {
      r.filling = true;
      const fill = this.fill(room, r.next!, first - 1).catch((e: unknown) => {
        log.warn('{room}: could not look up its missing events: {error}', { room, error: String(e) });
        return [];
      });
      void fill.then((found) => {
        r.filling = false;
        // Closed, or the room forgotten and made again, meanwhile.
        if (this.#rooms.get(room) !== r) return;
        for (const [seq, e] of found) if (seq >= r.next! && seq < first && !r.pending.has(seq)) r.pending.set(seq, e);
        this.#drain(room, r);
        if (r.next! < first) this.#skipNow(room, r);
      });
      return;
    }
    this.#skipNow(room, r);
  }

  #skipNow(room: string, r: Room<E>): void {
    if (r.timer?.active()) r.timer.cancel();
    r.timer = undefined;
    if (r.pending.size === 0) return;
    const first = Math.min(...r.pending.keys());
    log.warn('{room}: events {from} to {to} never came; skipped', { room, from: r.next!, to: first - 1 });
    this.skipped++;
    r.next = first;
    this.#drain(room, r);
  }
}
