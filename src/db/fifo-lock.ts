/**
 * A first-come, first-served lock whose waiters are Deferreds (cancelling one leaves the queue).
 * The pool uses it to let one writer at a time at a SQLite database.
 * @module
 */
import { Deferred } from '../defer/index.js';

export class FifoLock {
  #locked = false;
  #waiters: Deferred<void>[] = [];

  /** True while held. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Fires when the lock is this caller's; cancel it to stop waiting. */
  acquire(): Deferred<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Deferred.succeed<void>(undefined);
    }
    const d = new Deferred<void>((self) => {
      const at = this.#waiters.indexOf(self);
      if (at >= 0) this.#waiters.splice(at, 1);
    });
    this.#waiters.push(d);
    return d;
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next.callback(undefined);
    else this.#locked = false;
  }

  /** Fails every waiter with `error` (the holder keeps the lock until it releases). */
  failWaiters(error: Error): void {
    for (const d of this.#waiters.splice(0)) d.errback(error);
  }
}
