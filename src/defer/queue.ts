/**
 * `DeferredQueue`: a queue whose `get` returns a Deferred that fires when an item is there (Twisted's
 * `DeferredQueue`).
 * @module
 */
import { Deferred } from './deferred.js';
import { Fifo } from './fifo.js';
import { QueueOverflow, QueueUnderflow } from './failure.js';

/**
 * Items go in with `put` and come out, in order, through Deferreds from `get`. `size` bounds the items
 * held (a `put` beyond it throws `QueueOverflow`); `backlog` bounds the `get`s waiting (one more throws
 * `QueueUnderflow`). Cancelling a waiting `get` takes it out of line.
 *
 * @example
 * const q = new DeferredQueue<string>({ size: 100 });
 * q.get().addCallback((line) => handle(line));
 * q.put('hello'); // handle('hello') runs now
 */
export class DeferredQueue<T> {
  /** The most items held at once (unbounded when undefined). */
  readonly size: number | undefined;
  /** The most `get`s waiting at once (unbounded when undefined). */
  readonly backlog: number | undefined;
  readonly #pending = new Fifo<T>();
  readonly #waiting = new Fifo<Deferred<T>>();

  constructor(options: { size?: number; backlog?: number } = {}) {
    this.size = options.size;
    this.backlog = options.backlog;
  }

  /** Hands `item` to the oldest waiting `get`, or holds it; throws `QueueOverflow` when full. */
  put(item: T): void {
    const waiter = this.#waiting.shift();
    if (waiter) {
      waiter.callback(item);
    } else if (this.size === undefined || this.#pending.length < this.size) {
      this.#pending.push(item);
    } else {
      throw new QueueOverflow();
    }
  }

  /** A Deferred of the next item (already fired if one is held); throws `QueueUnderflow` past the backlog. */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return Deferred.succeed(this.#pending.shift() as T);
    if (this.backlog !== undefined && this.#waiting.length >= this.backlog) throw new QueueUnderflow();
    const d = new Deferred<T>((cancelled) => {
      this.#waiting.remove(cancelled);
    });
    this.#waiting.push(d);
    return d;
  }

  /** The items held, oldest first (a copy). */
  get pending(): T[] {
    return this.#pending.toArray();
  }

  /** How many `get`s are waiting. */
  get waitingCount(): number {
    return this.#waiting.length;
  }
}
