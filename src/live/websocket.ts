/**
 * The WebSocket transport of a live page: one `WebSocketProtocol` per connection, feeding a `LiveEndpoint`.
 *
 * The protocol is the push producer of its connection: when the TCP write buffer passes its high-water mark
 * (the page is not reading), the page's messages wait in its session and the connection stops reading too,
 * so a page that sends without reading cannot make the server queue answers; the endpoint closes it if it
 * stays that way for `stallTimeout` seconds.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { IPushProducer } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import type { Request } from '../web/index.js';
import { PreparedMessage, WebSocketProtocol, WebSocketResource } from '../web/websocket/index.js';
import { LiveEndpoint, STALLED, type EndpointTransport, type PageDirectory } from './endpoint.js';
import type { SharedMessage } from './shared/frames.js';
import { originAllowed } from './origin.js';

const log = new Logger({ namespace: 'torsion.live.websocket' });

/** Close reasons after which the peer cannot be expected to take part in a close handshake. */
const DEAD = new Set(['heartbeat timeout', 'dropped', 'no HELLO', STALLED]);

/** Carries one page connection's frames as WebSocket text messages. */
class LiveWebSocketProtocol extends WebSocketProtocol implements IPushProducer, EndpointTransport {
  readonly endpoint: LiveEndpoint;
  #full = false;

  constructor(pages: PageDirectory) {
    super();
    this.endpoint = new LiveEndpoint(pages, this);
  }

  sendLiveFrame(frame: string): void {
    this.transport.sendTextMessage(frame);
  }

  /**
   * A dead or stalled peer may never answer a close handshake: abort. Otherwise close cleanly, so a frame
   * sent just before (a GONE) is delivered first.
   */
  closeLiveTransport(reason: string, abort: boolean): void {
    if (abort || DEAD.has(reason)) this.transport.abortConnection();
    else this.transport.loseConnection(1000);
  }

  /** A broadcast is framed by the first connection that sends it; the others write the same bytes. */
  sendLiveShared(message: SharedMessage): void {
    this.transport.sendPreparedMessage((message.transportData ??= new PreparedMessage(message.frame)) as PreparedMessage);
  }

  override negotiationFinished(): void {
    this.transport.registerProducer(this, true);
  }

  override textMessageReceived(data: string): void {
    this.endpoint.frameReceived(data);
  }

  override connectionLost(_reason: Failure): void {
    this.endpoint.connectionLost();
  }

  /** The write buffer is over its high-water mark. */
  pauseProducing(): void {
    if (this.#full) return;
    this.#full = true;
    this.transport.pauseProducing();
    this.endpoint.pauseSending();
  }

  /** The write buffer drained: send what waited, then read again unless that filled it up once more. */
  resumeProducing(): void {
    if (!this.#full) return;
    this.#full = false;
    this.endpoint.resumeSending();
    if (!this.#full) this.transport.resumeProducing();
  }

  stopProducing(): void {
    this.endpoint.connectionLost();
  }
}

/**
 * The `ws` endpoint of a live page. WebSocket-level pings are off: the live session has its own heartbeat.
 * A handshake from another origin (see `origin.ts`) is refused with 403.
 */
export function liveWebSocketResource(pages: PageDirectory, allowedOrigins: readonly string[] = []): WebSocketResource {
  return new WebSocketResource(
    (request: Request) => {
      if (originAllowed(request, allowedOrigins)) return new LiveWebSocketProtocol(pages);
      log.info('refused a live WebSocket from origin {origin}', { origin: request.getHeader('origin') ?? 'none' });
      return null;
    },
    // The request is read above, while the protocol is built; an idle page need not hold it.
    { maxMessageSize: pages.maxFrameSize * 4, pingInterval: 0, keepRequest: false },
  );
}
