/**
 * Who may load a new live page, and where its memory comes from. Each client address has a count of live
 * pages (`maxPagesPerAddress`), a token bucket for new ones (`pageBurst`, then `pageRate` a second) and a
 * memory budget its pages share (`maxAddressBytes`), drawn from the process's (`maxTotalBytes`). So a flood
 * of GETs, or of pages that hold what they can, from one address is refused or dropped without turning other
 * addresses away.
 *
 * IPv6 clients are counted by their /64, which one subscriber usually holds whole. Pages loaded by a non-IP
 * peer (a Unix socket, an in-memory request, `LivePage.load` with no request) have no address and only meet
 * the process-wide limits; behind a reverse proxy every page has the proxy's address.
 * @module
 */
import { MemoryBudget } from './shared/budget.js';
import type { IReactorTime } from '../time/interfaces.js';
import type { LiveLimits } from './shared/limits.js';

const pools = new Map<number, MemoryBudget>();

/** The process-wide budget of `limit` bytes, shared by every `LivePage` configured with the same `maxTotalBytes`. */
export function processBudget(limit: number): MemoryBudget {
  let pool = pools.get(limit);
  if (pool === undefined) pools.set(limit, (pool = new MemoryBudget(limit, null, { owner: "the server's" })));
  return pool;
}

/** The eight groups of an IPv6 address in hex, or null when it is not one this can read. */
function ipv6Groups(host: string): string[] | null {
  const halves = host.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 1 ? null : halves[1] === '' ? [] : halves[1]!.split(':');
  const groups = tail === null ? head : [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/** The key pages from `address` are counted under: the IPv4 address, the IPv6 /64, or null for non-IP peers. */
export function addressKey(address: unknown): string | null {
  const host = (address as { host?: unknown } | null | undefined)?.host;
  if (typeof host !== 'string' || host === '') return null;
  const h = host.toLowerCase().replace(/%.*$/, '');
  if (!h.includes(':')) return h;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(h);
  if (mapped !== null) return mapped[1]!;
  const groups = ipv6Groups(h);
  return groups === null ? h : `${groups.slice(0, 4).join(':')}::/64`;
}

interface AddressEntry {
  pages: number;
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  readonly budget: MemoryBudget;
}

/** A refusal, with the seconds after which trying again may work. */
export interface Refusal {
  readonly reason: string;
  readonly retryAfter: number;
}

/** The per-address counts of one `LivePage`. */
export class AddressBook {
  readonly #entries = new Map<string, AddressEntry>();
  /** Entries made when the book reaches this size are preceded by a sweep of the ones that hold nothing. */
  #sweepAt = 1024;

  constructor(
    readonly limits: LiveLimits,
    readonly clock: IReactorTime,
    /** The budget each address's budget draws on. */
    readonly total: MemoryBudget,
  ) {}

  /** Number of addresses tracked. */
  get size(): number {
    return this.#entries.size;
  }

  /** Counts one more page from `key` and returns the budget it draws on, or says why it may not be made. */
  admit(key: string): MemoryBudget | Refusal {
    const l = this.limits;
    const now = this.clock.seconds();
    let e = this.#entries.get(key);
    if (e === undefined) {
      this.#sweep(now);
      e = { pages: 0, tokens: l.pageBurst, at: now, budget: new MemoryBudget(l.maxAddressBytes, this.total, { owner: "its address's" }) };
      this.#entries.set(key, e);
    }
    this.#refill(e, now);
    if (e.pages >= l.maxPagesPerAddress) return { reason: `${e.pages} live pages from this address already`, retryAfter: Math.ceil(l.connectTimeout) };
    if (e.tokens < 1) return { reason: 'new pages from this address too fast', retryAfter: l.pageRate > 0 ? Math.ceil((1 - e.tokens) / l.pageRate) : 60 };
    e.tokens -= 1;
    e.pages++;
    return e.budget;
  }

  /** A page admitted for `key` is gone. */
  release(key: string): void {
    const e = this.#entries.get(key);
    if (e !== undefined && e.pages > 0) e.pages--;
  }

  #refill(e: AddressEntry, now: number): void {
    e.tokens = Math.min(this.limits.pageBurst, e.tokens + Math.max(0, now - e.at) * this.limits.pageRate);
    e.at = now;
  }

  /** Forgets addresses with no page and a full bucket: a fresh entry would be the same. */
  #sweep(now: number): void {
    if (this.#entries.size < this.#sweepAt) return;
    for (const [key, e] of this.#entries) {
      if (e.pages > 0 || e.budget.used > 0) continue;
      this.#refill(e, now);
      if (e.tokens < this.limits.pageBurst) continue;
      e.budget.close();
      this.#entries.delete(key);
    }
    this.#sweepAt = Math.max(1024, 2 * this.#entries.size);
  }
}
