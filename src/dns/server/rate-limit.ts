/**
 * A token bucket per source address: each address may send `perSecond` queries a second, in bursts of
 * as many (0: no limit); the table remembers at most `maxSources` addresses (the least recently seen go first).
 *
 * Recency is kept cheaply: a bucket moves to the young end of the table only once a quarter table's worth
 * of newer addresses came after it, not on every query. A hot source so costs one map lookup per datagram,
 * yet one seen at least once per half a table of new addresses is never pushed out by a flood of new
 * (spoofed) addresses, which would refill its bucket.
 * @module
 */
import type { IReactorTime } from '../../time/interfaces.js';

interface Bucket { tokens: number; at: number; born: number }

/** The per-source limiter of the server. */
export class SourceRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  /** Buckets (re)inserted so far: the table's clock of recency. */
  #inserted = 0;

  constructor(private readonly clock: IReactorTime, private readonly perSecond: number, private readonly maxSources: number) {}

  /** How many addresses the table holds. */
  get sources(): number {
    return this.#buckets.size;
  }

  /** Whether a query from `host` may be answered now (and counts it). */
  allow(host: string): boolean {
    if (this.perSecond <= 0) return true;
    const now = this.clock.seconds();
    let bucket = this.#buckets.get(host);
    if (bucket === undefined) {
      bucket = { tokens: this.perSecond, at: now, born: this.#inserted++ };
      this.#buckets.set(host, bucket);
      if (this.#buckets.size > this.maxSources) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else {
      bucket.tokens = Math.min(this.perSecond, bucket.tokens + (now - bucket.at) * this.perSecond);
      bucket.at = now;
      if (this.#inserted - bucket.born > this.maxSources >> 2) {
        this.#buckets.delete(host);
        bucket.born = this.#inserted++;
        this.#buckets.set(host, bucket);
      }
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
