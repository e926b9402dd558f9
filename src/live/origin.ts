/**
 * Which origins may use a live page's endpoints (its WebSocket and long polling): the page's own, plus the
 * ones the `LivePage` lists in `allowedOrigins`.
 *
 * "Own" compares the host and port of `Origin` with the request's `Host`, not the scheme, so a server behind
 * a TLS-terminating proxy (which sees `http` while the page is `https`) still accepts its pages.
 *
 * A request with no `Origin` is allowed unless `Sec-Fetch-Site` says it comes from another site. Browsers
 * send `Origin` with every WebSocket handshake and every POST, and omit it only on same-origin GETs, so
 * an absent `Origin` means a same-origin long-polling GET or a non-browser client (the Node `LiveClient`,
 * a script): such a client can send any header it likes, so refusing it would protect nothing, and it needs
 * the page id, a secret only the page's own document holds, to get anywhere.
 * @module
 */
import type { Request } from '../web/index.js';

/** True when `request` may use the live endpoints (see the module comment). */
export function originAllowed(request: Request, allowedOrigins: readonly string[]): boolean {
  const origin = request.getHeader('origin');
  if (origin === null) {
    const site = request.getHeader('sec-fetch-site');
    return site === null || site === 'same-origin' || site === 'none';
  }
  if (allowedOrigins.includes(origin)) return true;
  const host = request.getHeader('host');
  if (host === null) return false;
  try {
    const from = new URL(origin);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    // Parsing Host with the Origin's scheme drops a default port the same way on both sides.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false; // `null` (sandboxed frames, file: pages) or garbage
  }
}
