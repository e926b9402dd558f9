/**
 * Every limit a peer can push Torsion's HTTP/1.1 server (and the codec it shares with the client) against,
 * with its default, in one place. A `Site` takes the request limits as options; the codec's bounds are fixed.
 * The client's limits are in `client/limits.ts`, the WebSocket's in `websocket/limits.ts`.
 * @module
 */

/** The request limits of a `Site` (each a `SiteOptions` field of the same name) and their defaults. */
export const SITE_LIMITS = {
  /** Largest body buffered into `request.content`; bigger gets 413. */
  maxBodySize: 10 * 1024 * 1024,
  /** Largest request head, request line included; bigger gets 431. */
  maxHeadSize: 16 * 1024,
  /** Longest request line; longer gets 414. */
  maxRequestLine: 8 * 1024,
  /** Most header fields in one request head; more gets 431. */
  maxHeaderCount: 100,
} as const;

/** The default timeouts of a `Site`, in seconds (see `SiteTimeouts`). */
export const SITE_TIMEOUTS = {
  idle: 60,
  headers: 30,
  body: 60,
  bodyDeadline: 60,
  /** Bytes per second, not seconds: each `minBodyRate` bytes extend `bodyDeadline` by a second. */
  minBodyRate: 1024,
} as const;

/** Bounds of the HTTP/1.1 codec, the same for requests and responses. */
export const CODEC_LIMITS = {
  /** Longest chunk-size line of a chunked body (hex size plus extensions). */
  maxChunkSizeLine: 4096,
  /** Most bytes of trailer fields after a chunked body. */
  maxTrailerSize: 16 * 1024,
  /** Unread pipelined input a connection buffers before it stops reading from the peer. */
  maxPendingInput: 256 * 1024,
  /** Distinct header names remembered as already validated (a cache: more are validated each time). */
  headerNameCache: 512,
} as const;
