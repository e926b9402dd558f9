/**
 * Requests whose answers span several numerics: NAMES (353…366) and WHOIS (311…318), collected per target
 * and handed to the waiting Deferreds.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { IRCReplyError } from './errors.js';

/** One member of a channel, as NAMES lists it. */
export interface NamesEntry {
  nick: string;
  /** The member's status symbols (`@`, `+`, ...), highest first; `''` for none. */
  prefixes: string;
}

/** What a WHOIS reply told about a user. */
export interface WhoisInfo {
  nick: string;
  user?: string;
  host?: string;
  realname?: string;
  server?: string;
  serverInfo?: string;
  operator: boolean;
  /** Seconds idle. */
  idle?: number;
  /** Sign-on time, seconds since the epoch. */
  signon?: number;
  /** The channels, with their status symbols (`@#ops`). */
  channels: string[];
  /** The services account, when logged in. */
  account?: string;
}

/** Collects partial replies under a key until the end numeric, then fires everyone waiting on that key. */
export class ReplyCollector<T> {
  readonly #partial = new Map<string, T>();
  readonly #waiters = new Map<string, Array<Deferred<T>>>();

  constructor(readonly fresh: (key: string) => T) {}

  /** A Deferred that fires with the next complete reply for `key`. */
  wait(key: string): Deferred<T> {
    const d = new Deferred<T>();
    const list = this.#waiters.get(key) ?? [];
    list.push(d);
    this.#waiters.set(key, list);
    return d;
  }

  /** True when someone waits on `key`. */
  waiting(key: string): boolean {
    return this.#waiters.has(key);
  }

  /** The reply being built for `key`. */
  partial(key: string): T {
    let value = this.#partial.get(key);
    if (value === undefined) {
      value = this.fresh(key);
      this.#partial.set(key, value);
    }
    return value;
  }

  /** The reply for `key` is complete: returns it and fires the waiters. */
  finish(key: string): T {
    const value = this.partial(key);
    this.#partial.delete(key);
    const waiters = this.#waiters.get(key) ?? [];
    this.#waiters.delete(key);
    for (const d of waiters) d.callback(value);
    return value;
  }

  /** The request for `key` failed: the waiters get `error`. */
  fail(key: string, error: Error): void {
    this.#partial.delete(key);
    const waiters = this.#waiters.get(key) ?? [];
    this.#waiters.delete(key);
    for (const d of waiters) d.errback(error);
  }

  /** The connection is gone: every waiter fails. */
  failAll(reason: string): void {
    for (const key of [...this.#waiters.keys()]) this.fail(key, new IRCReplyError(reason));
    this.#partial.clear();
  }
}
