/**
 * Server-side sessions (Twisted's `web.server.Session`): kept by the site, found by a cookie, expired after
 * a period without use on the site's clock. There is no timer per session: the site's once-a-second sweep
 * (which runs while connections are open) and every lookup expire them, so idle sessions cost no timers and
 * never keep the process alive.
 * @module
 */
import type { IReactorTime } from '../internet/interfaces.js';

/**
 * A session: a uid (the cookie value), a place for per-client state, and an expiry that every use
 * pushes back.
 *
 * @example
 * const session = request.getSession();
 * session.data.set('visits', ((session.data.get('visits') as number) ?? 0) + 1);
 */
export class Session {
  /** Per-session state. */
  readonly data = new Map<string, unknown>();
  /** When it was last used, in the clock's seconds. */
  lastModified: number;
  /** True once expired. */
  expired = false;
  #onExpire: (() => void)[] = [];

  constructor(
    readonly uid: string,
    readonly clock: IReactorTime,
    /** Seconds of disuse before expiry. */
    readonly timeout: number,
    private readonly remove: (uid: string) => void,
  ) {
    this.lastModified = clock.seconds();
  }

  /** True when it has not been used for `timeout` seconds as of `now` (default: the clock's time). */
  isStale(now = this.clock.seconds()): boolean {
    return now - this.lastModified >= this.timeout;
  }

  /** Marks it as used now, pushing expiry back. */
  touch(): void {
    if (this.expired) return;
    this.lastModified = this.clock.seconds();
  }

  /** Calls `fn` when the session expires. */
  notifyOnExpire(fn: () => void): void {
    this.#onExpire.push(fn);
  }

  /** Ends the session now. */
  expire(): void {
    if (this.expired) return;
    this.expired = true;
    this.remove(this.uid);
    for (const fn of this.#onExpire) fn();
    this.#onExpire = [];
  }
}
