/**
 * Every limit an NNTP peer can push against, with its default, in one object. Sizes in bytes, durations
 * in seconds.
 * @module
 */

/** The NNTP limits; servers and clients take a `Partial` of it. */
export interface NNTPLimits {
  /** The longest command line a server reads, CRLF excluded (RFC 3977 §3.1 allows 512 with CRLF). */
  maxCommandLength: number;
  /**
   * The longest line inside an article or a multi-line response (RFC 5536 caps header lines at 998; bodies
   * of real feeds can be longer, so this is wider).
   */
  maxLineLength: number;
  /** The largest article accepted by POST or IHAVE, or read by the client, headers and body together. */
  maxArticleBytes: number;
  /** The most header fields an article may have (after unfolding). */
  maxHeaderCount: number;
  /** The largest header section of an article. */
  maxHeaderBytes: number;
  /** The largest multi-line response the client buffers (OVER, LIST, LISTGROUP, ARTICLE). */
  maxResponseBytes: number;
  /** Seconds a server connection may stay silent before it is closed with 400 (RFC 3977 asks for at least 180). */
  idleTimeout: number;
  /** Failed AUTHINFO attempts on one connection before it is closed. */
  maxFailedAuths: number;
  /**
   * Bytes of pipelined input a server holds while an earlier command is still being answered: past this it
   * stops reading (the transport is paused), and past twice this it closes the connection.
   */
  maxPipelinedBytes: number;
}

/** The defaults. */
export const DEFAULT_NNTP_LIMITS: Readonly<NNTPLimits> = Object.freeze({
  maxCommandLength: 510,
  maxLineLength: 16 * 1024,
  maxArticleBytes: 1024 * 1024,
  maxHeaderCount: 256,
  maxHeaderBytes: 64 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  idleTimeout: 600,
  maxFailedAuths: 3,
  maxPipelinedBytes: 64 * 1024,
});

/** `overrides` over the defaults. */
export function resolveNNTPLimits(overrides: Partial<NNTPLimits> = {}): NNTPLimits {
  return { ...DEFAULT_NNTP_LIMITS, ...overrides };
}
