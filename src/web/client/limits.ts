/**
 * Every limit a server can push Torsion's HTTP client against, with its default, in one place: the agent,
 * the proxy tunnel, the reverse proxy's backend connection, `readBody`, the content decoder, redirects and
 * the cookie jar all read these.
 * @module
 */

/** Limits on a response head (the agent's `limits` option overrides them). */
export interface ResponseLimits {
  /** Largest response head in bytes, status line included. */
  maxHeadSize?: number;
  /** Most header fields in one response head. */
  maxHeaders?: number;
}

/** The client's limits and their defaults. */
export const CLIENT_LIMITS = {
  /** Largest response head in bytes, status line included; bigger fails the request. */
  maxHeadSize: 64 * 1024,
  /** Most header fields in one response head; more fail the request. */
  maxHeaders: 256,
  /** Largest body `readBody` collects into memory; bigger fails with `BodyTooLarge`. */
  maxBodySize: 10 * 1024 * 1024,
  /** Largest body `ContentDecoderAgent` decodes to; bigger fails with `ResponseFailed([BodyTooLarge])`. */
  maxDecodedSize: 64 * 1024 * 1024,
  /** Body bytes held for a response nobody reads yet before the connection is paused. */
  unreadBodyBuffer: 64 * 1024,
  /** Bytes of a redirect's own body read (and dropped) so its connection can be reused. */
  maxRedirectDrain: 64 * 1024,
  /** Largest cookie `name=value` kept (RFC 6265 §6.1 asks for at least 4096). */
  maxCookieSize: 4096,
  /** Cookies kept per domain; the oldest goes first. */
  maxCookiesPerDomain: 50,
  /** Cookies kept in one jar; the oldest goes first. */
  maxCookies: 3000,
} as const;

/** The response-head limits in force: the defaults, overridden by what was given. */
export function responseLimits(given: ResponseLimits = {}): Required<ResponseLimits> {
  return { maxHeadSize: given.maxHeadSize ?? CLIENT_LIMITS.maxHeadSize, maxHeaders: given.maxHeaders ?? CLIENT_LIMITS.maxHeaders };
}
