/**
 * A token bucket on an injectable clock: outgoing flood protection, so a client does not get itself
 * disconnected by the server's flood limits.
 * @module
 */
import type { IDelayedCall, IReactorTime } from '../internet/interfaces.js';

/**
 * Lets `burst` items through at once, then `rate` per second; the rest wait in order. Sends run on the clock
 * (never while the caller waits), so a test drives it with `Clock.advance`.
 *
 * @example
 * const bucket = new TokenBucket(clock, 5, 0.5, (line) => transport.write(line));
 */
export class TokenBucket<T> {
  #tokens: number;
  #last: number;
  #queue: T[] = [];
  #timer: IDelayedCall | undefined;

  /**
   * @param clock where time comes from and waits are scheduled
   * @param burst how many items go out back to back
   * @param rate items per second once the burst is spent (`Infinity`: no limit)
   * @param send what to do with each item, in order
   */
  constructor(
    readonly clock: IReactorTime,
    readonly burst: number,
    readonly rate: number,
    readonly send: (item: T) => void,
  ) {
    this.#tokens = burst;
    this.#last = clock.seconds();
  }

  /** Items waiting for a token. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Sends `item` now if a token is free and nothing waits ahead of it, or queues it. */
  push(item: T): void {
    this.#queue.push(item);
    this.#drain();
  }

  /** Drops what waits and stops the timer (the connection is gone). */
  clear(): void {
    this.#queue = [];
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #refill(): void {
    const now = this.clock.seconds();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#last) * this.rate);
    this.#last = now;
  }

  #drain(): void {
    if (this.#timer) return;
    this.#refill();
    // The epsilon keeps float error from scheduling a second, near-zero wait.
    while (this.#queue.length > 0 && (this.#tokens >= 1 - 1e-9 || this.rate === Infinity)) {
      this.#tokens -= 1;
      this.send(this.#queue.shift() as T);
    }
    if (this.#queue.length > 0) {
      this.#timer = this.clock.callLater(Math.max(0, 1 - this.#tokens) / this.rate, () => {
        this.#timer = undefined;
        this.#drain();
      });
    }
  }
}
