/**
 * The address of one end of a WebSocket stream.
 * @module
 */
import type { IAddress } from '../interfaces.js';

/** A WebSocket end, named by URL: the server's `ws://` URL as the peer, the page's URL as the host. */
export class WebSocketAddress implements IAddress {
  readonly type = 'WEBSOCKET' as const;
  constructor(readonly url: string) {}
  toString(): string {
    return `WEBSOCKET:${this.url}`;
  }
}

/** The page's own address: its URL in a browser, `about:blank` elsewhere. */
export function pageAddress(): WebSocketAddress {
  const location = (globalThis as { location?: { href?: string } }).location;
  return new WebSocketAddress(location?.href ?? 'about:blank');
}
