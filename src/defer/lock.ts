/**
 * `DeferredLock` and `DeferredSemaphore`: mutual exclusion and bounded concurrency for code that waits on
 * Deferreds (Twisted's classes of the same names).
 * @module
 */
import { Deferred } from './deferred.js';
import { Fifo } from './fifo.js';
import { maybeDeferred, type Deferrable } from './helpers.js';

/** What `DeferredLock` and `DeferredSemaphore` share: `acquire`, `release`, and `run`. */
abstract class ConcurrencyPrimitive {
  protected readonly waiting = new Fifo<Deferred<this>>();

  /** A Deferred that fires (with this) once acquired; cancelling it while it waits gives up the place in line. */
  abstract acquire(): Deferred<this>;

  /** Gives back what `acquire` took, letting the next waiter in. */
  abstract release(): void;

  /** How many `acquire`s are waiting. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * Acquires, runs `fn(...args)` (which may return a Deferred or Promise), then releases whatever the outcome;
   * the returned Deferred has `fn`'s result.
   *
   * @example
   * lock.run(writeRecord, record).addCallback(() => log.info('saved'));
   */
  run<T, A extends unknown[]>(fn: (...args: A) => Deferrable<T>, ...args: A): Deferred<T> {
    return this.acquire().addCallback(() =>
      maybeDeferred(fn, ...args).addBoth((result) => {
        this.release();
        return result as any;
      }),
    ) as Deferred<T>;
  }

  protected cancelAcquire = (d: Deferred<this>): void => {
    this.waiting.remove(d);
  };
}

/**
 * A lock: one holder at a time, the others wait in order.
 *
 * @example
 * const lock = new DeferredLock();
 * lock.acquire().addCallback(() => { try { edit(); } finally { lock.release(); } });
 */
export class DeferredLock extends ConcurrencyPrimitive {
  /** True while someone holds the lock. */
  locked = false;

  /** A Deferred that fires (with the lock) once it is yours; cancel it to stop waiting. */
  acquire(): Deferred<this> {
    const d = new Deferred<this>(this.cancelAcquire);
    if (this.locked) {
      this.waiting.push(d);
    } else {
      this.locked = true;
      d.callback(this);
    }
    return d;
  }

  /** Releases the lock; throws if it is not held. */
  release(): void {
    if (!this.locked) throw new Error('Tried to release an unlocked DeferredLock');
    this.locked = false;
    const next = this.waiting.shift();
    if (next) {
      this.locked = true;
      next.callback(this);
    }
  }
}

/**
 * A semaphore with `tokens` slots: at most that many holders at once, the others wait in order.
 *
 * @example
 * const sem = new DeferredSemaphore(4);
 * gatherResults(urls.map((u) => sem.run(fetchPage, u)));  // at most 4 fetches at a time
 */
export class DeferredSemaphore extends ConcurrencyPrimitive {
  /** Free slots right now. */
  tokens: number;
  /** The number of slots. */
  readonly limit: number;

  constructor(tokens: number) {
    super();
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError('DeferredSemaphore requires tokens >= 1');
    this.tokens = tokens;
    this.limit = tokens;
  }

  /** A Deferred that fires (with the semaphore) once a slot is yours; cancel it to stop waiting. */
  acquire(): Deferred<this> {
    const d = new Deferred<this>(this.cancelAcquire);
    if (this.tokens === 0) {
      this.waiting.push(d);
    } else {
      this.tokens--;
      d.callback(this);
    }
    return d;
  }

  /** Frees a slot; throws if more are released than were acquired. */
  release(): void {
    if (this.tokens >= this.limit) throw new Error('DeferredSemaphore released too many times');
    this.tokens++;
    const next = this.waiting.shift();
    if (next) {
      this.tokens--;
      next.callback(this);
    }
  }
}
