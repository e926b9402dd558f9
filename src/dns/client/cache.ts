/**
 * The resolver's TTL-respecting cache: an answer is kept for the smallest TTL among its records (capped),
 * and handed out with the TTLs counted down by the time spent in the cache.
 * @module
 */
import type { IReactorTime } from '../../time/interfaces.js';
import type { RRHeader } from '../message.js';

/** What a lookup yields: Twisted's `(answers, authority, additional)`. */
export type LookupResult = [RRHeader[], RRHeader[], RRHeader[]];

interface Entry {
  result: LookupResult;
  storedAt: number;
  expiresAt: number;
}

/** A bounded map of answers; the oldest entry goes when it is full. */
export class ResolverCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly clock: IReactorTime, private readonly maxEntries: number, private readonly maxTTL: number) {}

  /** The number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer for `key`, TTLs reduced by its age, or undefined when absent or expired. */
  get(key: string): LookupResult | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.clock.seconds();
    if (now >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    const age = Math.floor(now - entry.storedAt);
    const age1 = (rrs: RRHeader[]): RRHeader[] => rrs.map((rr) => ({ ...rr, ttl: Math.max(0, rr.ttl - age) }));
    return [age1(entry.result[0]), age1(entry.result[1]), age1(entry.result[2])];
  }

  /** Stores an answer for the smallest TTL of its answer records; nothing with a TTL of 0 or no answers. */
  put(key: string, result: LookupResult): void {
    if (result[0].length === 0) return;
    const ttl = Math.min(this.maxTTL, ...result[0].map((rr) => rr.ttl));
    if (ttl <= 0) return;
    this.#entries.delete(key);
    const now = this.clock.seconds();
    this.#entries.set(key, { result, storedAt: now, expiresAt: now + ttl });
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }
}
