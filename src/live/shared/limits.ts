/**
 * Every limit of the live layer, with its default, in one place (DESIGN principle 7). A peer can push
 * against each of these; the server takes them from `LivePageOptions.limits`, the page from its boot data
 * (the sizes) and its own defaults. Browser-safe: data only.
 *
 * Sizes held in memory are counted in characters of JSON text, which is one byte a character for ASCII and
 * Latin-1 text in V8 (two for other text), plus a small fixed overhead per item.
 * @module
 */

/** The limits of live pages. Byte budgets nest: a page's charges count against its address's and the process's. */
export interface LiveLimits {
  /** Largest JSON encoding of one call's arguments or one result, in characters (default 256 KiB). */
  readonly maxMessageSize: number;
  /** Most messages sent to a page and not yet acknowledged before the page is dropped (default 10,000). */
  readonly maxUnacked: number;
  /** Most out-of-order messages held while an earlier one is missing; more are discarded and resent later (default 1,000). */
  readonly maxAhead: number;
  /**
   * Bytes one page may hold on the server: out-of-order and unacknowledged messages, pending calls and frames
   * queued for its transport (default 4 MiB). A page over it is dropped (`PageGone` with the reason).
   */
  readonly maxPageBytes: number;
  /** Bytes all pages loaded from one client address may hold together (default 16 MiB). */
  readonly maxAddressBytes: number;
  /** Bytes all live pages of the process may hold together, shared by every `LivePage` with the same value (default 256 MiB). */
  readonly maxTotalBytes: number;
  /** Calls to a page waiting for their answers, and calls from it being answered, each (default 1,000); more fail with `TooManyCalls`. */
  readonly maxPendingCalls: number;
  /** Seconds a call to a page waits for its answer before it fails with `CallTimeout` (default 60; 0 waits forever). */
  readonly callTimeout: number;
  /** Seconds a transport connection may stay unable to take more frames (its page not reading) before it is closed (default 20). */
  readonly stallTimeout: number;
  /** Bytes of frames a long-polling connection queues for the next GET before the page's messages wait (default 64 KiB). */
  readonly pollHighWater: number;
  /** Long-polling connections open at once; beyond it `POST poll?s=new` is a 503 (default 10,000). */
  readonly maxPollingSockets: number;
  /** Pages alive at once (connected or in their grace period); beyond it a GET is a 503 (default 10,000). */
  readonly maxPages: number;
  /** Pages alive at once loaded from one client address; beyond it a GET is a 429 (default 100). */
  readonly maxPagesPerAddress: number;
  /** Pages one client address may load in a burst before `pageRate` applies (default 20). */
  readonly pageBurst: number;
  /** Pages one client address may load per second after its burst; beyond it a GET is a 429 (default 1). */
  readonly pageRate: number;
  /** Seconds a new page has to make its first connection before it is forgotten (default 15). */
  readonly connectTimeout: number;
}

/** The defaults of {@link LiveLimits}. */
export const DEFAULT_LIVE_LIMITS: LiveLimits = Object.freeze({
  maxMessageSize: 256 * 1024,
  maxUnacked: 10_000,
  maxAhead: 1_000,
  maxPageBytes: 4 * 1024 * 1024,
  maxAddressBytes: 16 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxPendingCalls: 1_000,
  callTimeout: 60,
  stallTimeout: 20,
  pollHighWater: 64 * 1024,
  maxPollingSockets: 10_000,
  maxPages: 10_000,
  maxPagesPerAddress: 100,
  pageBurst: 20,
  pageRate: 1,
  connectTimeout: 15,
});

/** `limits` with every missing limit set to its default. */
export function resolveLiveLimits(limits: Partial<LiveLimits> = {}): LiveLimits {
  const resolved: Record<string, number> = { ...DEFAULT_LIVE_LIMITS };
  for (const [name, value] of Object.entries(limits)) if (value !== undefined) resolved[name] = value;
  return Object.freeze(resolved as unknown as LiveLimits);
}
