/**
 * Every DNS limit a peer can push against, with its default, in one place.
 * Browser-safe.
 * @module
 */

/** The limits of the DNS codec, resolver and server. */
export interface DNSLimits {
  /** The largest message accepted or built (a TCP message's 16-bit length caps it anyway). */
  maxMessageBytes: number;
  /** The UDP payload assumed for a peer that sends no EDNS(0) record (RFC 1035 §4.2.1). */
  classicUDPBytes: number;
  /** The UDP payload this side advertises and honours at most over EDNS(0) (the DNS Flag Day 2020 value). */
  ednsUDPBytes: number;
  /** The most compression pointers followed while reading one name (a second guard beside "backward only"). */
  maxPointerJumps: number;
  /** The most records of all sections in one message. */
  maxRecords: number;
  /** Seconds the resolver waits for one server before trying the next, per attempt. */
  queryTimeouts: readonly number[];
  /** The most entries in the resolver's cache; the oldest are evicted. */
  maxCacheEntries: number;
  /** The longest a cached answer is kept, in seconds, whatever its TTL says. */
  maxCacheTTL: number;
  /** Queries a second one source address may send the server before it is ignored (per-source rate limit). */
  serverQueriesPerSecond: number;
  /** How many source addresses the rate limiter remembers at once. */
  serverRateLimitSources: number;
  /** The most bytes a TCP DNS connection may buffer before a whole message arrives (beyond: closed). */
  maxTCPBufferBytes: number;
  /** Records per message of a zone transfer (AXFR), so each stays well under 64 KiB. */
  axfrRecordsPerMessage: number;
  /** Seconds an idle TCP DNS connection to the server is kept. */
  tcpIdleTimeout: number;
  /** Encoded authoritative replies the server keeps for repeated queries (0: no answer cache). */
  serverAnswerCacheEntries: number;
  /** The longest a cached reply is reused, in seconds, even when its records' TTLs are longer. */
  serverAnswerCacheSeconds: number;
  /** Queries longer than this many bytes are answered without the cache (bounds the memory of its keys). */
  serverAnswerCacheQueryBytes: number;
  /** Seconds a secondary's zone transfer (or SOA check) may take before it counts as failed. */
  secondaryTransferTimeout: number;
  /** The most records a secondary accepts in one zone transfer. */
  secondaryMaxRecords: number;
  /** Seconds between a secondary's attempts before it has ever seen the zone's SOA (then the SOA's retry). */
  secondaryInitialRetry: number;
  /** The shortest refresh or retry interval a secondary uses, whatever the SOA says (no hammering the master). */
  secondaryMinInterval: number;
  /** Seconds after one NOTIFY-driven refresh before another NOTIFY can start the next (later ones wait, coalesced). */
  secondaryNotifyMinInterval: number;
  /** Seconds a primary waits for a secondary to acknowledge a NOTIFY before sending it again (RFC 1996 §3.6). */
  notifyTimeout: number;
  /** How many times a primary sends one NOTIFY to one secondary before giving up. */
  notifyAttempts: number;
  /** Versions of a zone whose differences are kept for incremental transfers (IXFR); older serials get the whole zone. */
  ixfrHistoryVersions: number;
  /** The most records the kept differences of one zone hold together (the oldest are dropped first). */
  ixfrHistoryRecords: number;
}

/** The defaults. */
export const DNS_LIMITS: Readonly<DNSLimits> = Object.freeze({
  maxMessageBytes: 65535,
  classicUDPBytes: 512,
  ednsUDPBytes: 1232,
  maxPointerJumps: 64,
  maxRecords: 4096,
  queryTimeouts: Object.freeze([1, 3, 11, 45]),
  maxCacheEntries: 10000,
  maxCacheTTL: 86400,
  serverQueriesPerSecond: 1000,
  serverRateLimitSources: 10000,
  maxTCPBufferBytes: 65537,
  axfrRecordsPerMessage: 200,
  tcpIdleTimeout: 30,
  serverAnswerCacheEntries: 4096,
  serverAnswerCacheSeconds: 300,
  serverAnswerCacheQueryBytes: 512,
  secondaryTransferTimeout: 60,
  secondaryMaxRecords: 100000,
  secondaryInitialRetry: 30,
  secondaryMinInterval: 5,
  secondaryNotifyMinInterval: 1,
  notifyTimeout: 15,
  notifyAttempts: 5,
  ixfrHistoryVersions: 16,
  ixfrHistoryRecords: 100000,
});
