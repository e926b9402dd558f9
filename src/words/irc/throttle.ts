/**
 * The server's per-client rate limits, token buckets on the injected clock. `InputThrottle` is the flood
 * limit: lines within the burst are handled at once; past it they wait for tokens that refill at `rate` per
 * second; a client that piles up more than `maxQueued` waiting lines is flooding and gets dropped. This bounds
 * both the work one client can make the server do per second and the memory its backlog can take.
 * `RequestQueue` does the same for slow requests (history reads), one at a time, refusing the excess instead.
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';

/** `burst` tokens, refilled at `rate` a second on `clock` (`Infinity`: always one free). */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly clock: IReactorTime,
    readonly burst: number,
    readonly rate: number,
  ) {
    this.#tokens = burst;
    this.#last = clock.seconds();
  }

  /** Takes a token if one is free. */
  take(): boolean {
    if (this.rate === Infinity) return true;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Seconds until a token is free. */
  wait(): number {
    if (this.rate === Infinity) return 0;
    this.#refill();
    return Math.max(0, (1 - this.#tokens) / this.rate);
  }

  #refill(): void {
    const now = this.clock.seconds();
    if (now > this.#last) this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#last) * this.rate);
    this.#last = now;
  }
}

/** A token bucket in front of a line handler. */
export class InputThrottle<T> {
  readonly #bucket: TokenBucket;
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
    this.#bucket = new TokenBucket(clock, burst, rate);
  }

  /** Lines waiting for a token. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Handles `item` now if a token is free and nothing waits, else queues it (or reports a flood). */
  push(item: T): void {
    if (this.queued === 0 && this.#bucket.take()) {
      this.handle(item);
      return;
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

  #schedule(): void {
    if (this.#timer?.active()) return;
    this.#timer = this.clock.callLater(this.#bucket.wait(), () => this.#drain());
  }

  #drain(): void {
    this.#timer = undefined;
    while (this.queued > 0 && this.#bucket.take()) {
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

/**
 * Runs one client's slow requests one at a time, at most `rate` a second after a burst. `run` starts one and
 * returns a Deferred that fires when it is done (or nothing, when it finished at once); the Deferred's
 * failure is `run`'s to handle. {@link RequestQueue.stop} cancels the one running and drops the rest, so a
 * client that leaves costs nothing more.
 */
export class RequestQueue<T> {
  readonly #bucket: TokenBucket;
  #queue: T[] = [];
  #running: Deferred<unknown> | undefined;
  #timer: IDelayedCall | undefined;
  #pumping = false;
  #stopped = false;

  constructor(
    readonly clock: IReactorTime,
    readonly burst: number,
    readonly rate: number,
    readonly maxQueued: number,
    readonly run: (item: T) => Deferred<unknown> | undefined,
  ) {
    this.#bucket = new TokenBucket(clock, burst, rate);
  }

  /** Requests waiting (not the one running). */
  get queued(): number {
    return this.#queue.length;
  }

  /** True while a request runs. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Queues `item` and starts it if its turn has come; false (and nothing queued) when the queue is full. */
  push(item: T): boolean {
    if (this.#stopped || this.#queue.length >= this.maxQueued) return false;
    this.#queue.push(item);
    this.#next();
    return true;
  }

  /** Cancels the running request and drops the waiting ones; later pushes are refused. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = undefined;
    const running = this.#running;
    this.#running = undefined;
    running?.cancel();
  }

  #next(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#running === undefined && !this.#stopped && this.#queue.length > 0) {
        if (!this.#bucket.take()) {
          if (!this.#timer?.active()) this.#timer = this.clock.callLater(this.#bucket.wait(), () => this.#next());
          return;
        }
        const d = this.run(this.#queue.shift()!);
        if (d === undefined) continue;
        this.#running = d;
        d.addBoth(() => {
          if (this.#running !== d) return;
          this.#running = undefined;
          this.#next();
        });
      }
    } finally {
      this.#pumping = false;
    }
  }
}
