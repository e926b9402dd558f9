/**
 * The limits of mounting Torsion inside a Node server and a Node handler inside Torsion, with their defaults.
 * Request limits (head size, header count, body size, timeouts) are the `Site`'s own, applied the same way
 * as on Torsion's own server: every request passes through a real `HTTPChannel`.
 * @module
 */

/** Defaults of `NodeHandlerResource`'s limits (each an option of the same name). */
export const NODE_HANDLER_LIMITS = {
  /** Largest response head the mounted handler may write, in bytes; bigger is a 500 (or a cut connection). */
  maxResponseHeadSize: 64 * 1024,
  /** Most header fields in the mounted handler's response head. */
  maxResponseHeaders: 100,
  /** Largest request body passed to the mounted handler, in bytes; bigger gets 413. */
  maxRequestBodySize: 1024 * 1024 * 1024,
} as const;

/** Headers that describe one hop's connection and never cross from one HTTP implementation to the other. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer', 'expect']);
