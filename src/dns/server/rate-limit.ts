/**
 * A token bucket per source address: each address may send `perSecond` queries a second, in bursts of
 * as many (0: no limit); the table remembers at most `maxSources` addresses (the least recently seen go first).
 * @module
 */
import type { IReactorTime } from '../../time/interfaces.js';

interface Bucket { tokens: number; at: number }

/** The per-source limiter of the server. */
export class SourceRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly clock: IReactorTime, private readonly perSecond: number, private readonly maxSources: number) {}

  /** Whether a query from `host` may be answered now (and counts it). */
  allow(host: string): boolean {
    if (this.perSecond <= 0) return true;
    const now = this.clock.seconds();
    const bucket = this.#buckets.get(host) ?? { tokens: this.perSecond, at: now };
    this.#buckets.delete(host);
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + (now - bucket.at) * this.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(host, bucket);
    while (this.#buckets.size > this.maxSources) this.#buckets.delete(this.#buckets.keys().next().value!);
    return allowed;
  }
}
