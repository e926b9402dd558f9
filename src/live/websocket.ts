/**
 * The WebSocket transport of a live page: one `WebSocketProtocol` per connection, feeding a `LiveEndpoint`.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { Request } from '../web/index.js';
import { WebSocketProtocol, WebSocketResource } from '../web/websocket/index.js';
import { LiveEndpoint, type PageDirectory } from './endpoint.js';

/** Close reasons after which the peer cannot be expected to take part in a close handshake. */
const DEAD = new Set(['heartbeat timeout', 'dropped', 'no HELLO']);

/** Carries one page connection's frames as WebSocket text messages. */
class LiveWebSocketProtocol extends WebSocketProtocol {
  readonly endpoint: LiveEndpoint;

  constructor(pages: PageDirectory) {
    super();
    this.endpoint = new LiveEndpoint(
      pages,
      (frame) => this.transport.sendTextMessage(frame),
      // A dead or stalled peer may never answer a close handshake: abort. Otherwise close cleanly, so a
      // frame sent just before (a GONE) is delivered first.
      (reason) => (DEAD.has(reason) ? this.transport.abortConnection() : this.transport.loseConnection(1000)),
    );
  }

  override textMessageReceived(data: string): void {
    this.endpoint.frameReceived(data);
  }

  override connectionLost(_reason: Failure): void {
    this.endpoint.connectionLost();
  }
}

/** The `ws` endpoint of a live page. WebSocket-level pings are off: the live session has its own heartbeat. */
export function liveWebSocketResource(pages: PageDirectory): WebSocketResource {
  return new WebSocketResource((_request: Request) => new LiveWebSocketProtocol(pages), { maxMessageSize: pages.maxFrameSize * 4, pingInterval: 0 });
}
