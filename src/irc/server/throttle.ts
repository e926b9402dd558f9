/**
 * `InputThrottle`: the server's per-client flood limit. Lines within the burst are handled at once; past it
 * they wait for tokens that refill at `rate` per second on the injected clock; a client that piles up more
 * than `maxQueued` waiting lines is flooding and gets dropped. This bounds both the work one client can make
 * the server do per second and the memory its backlog can take.
 * @module
 */
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';

/** A token bucket in front of a line handler. */
export class InputThrottle<T> {
  #tokens: number;
  #last: number;
  #queue: T[] = [];
  #head = 0;
  #timer: IDelayedCall | undefined;

  /**
   * @param handle runs each line, in order
   * @param onFlood called once when the queue overflows (the caller drops the client)
   */
  constructor(
    readonly clock: IReactorTime,
    readonly burst: number,
    readonly rate: number,
    readonly maxQueued: number,
    readonly handle: (item: T) => void,
    readonly onFlood: () => void,
  ) {
    this.#tokens = burst;
    this.#last = clock.seconds();
  }

  /** Lines waiting for a token. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Handles `item` now if a token is free and nothing waits, else queues it (or reports a flood). */
  push(item: T): void {
    if (this.queued === 0) {
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        this.handle(item);
        return;
      }
    }
    if (this.queued >= this.maxQueued) {
      this.stop();
      this.onFlood();
      return;
    }
    this.#queue.push(item);
    this.#schedule();
  }

  /** Drops what waits and cancels the timer. */
  stop(): void {
    this.#queue = [];
    this.#head = 0;
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = undefined;
  }

  #refill(): void {
    const now = this.clock.seconds();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#last) * this.rate);
    this.#last = now;
  }

  #schedule(): void {
    if (this.#timer?.active()) return;
    const wait = Math.max(0, (1 - this.#tokens) / this.rate);
    this.#timer = this.clock.callLater(wait, () => this.#drain());
  }

  #drain(): void {
    this.#timer = undefined;
    this.#refill();
    while (this.queued > 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      const item = this.#queue[this.#head++];
      if (this.#head > 64 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.handle(item);
    }
    if (this.queued > 0) this.#schedule();
  }
}
