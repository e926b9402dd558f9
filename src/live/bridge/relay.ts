/**
 * The relay behind `WebSocketBridgeResource`: one WebSocket from a page, one stream connection to the
 * destination, binary messages one way and bytes the other. Each side's transport is registered as the
 * other's producer, so a slow TCP server stops the bridge reading from the page (and TCP flow control
 * then slows the page's socket), and a slow page stops it reading from the server. A close on either
 * side closes the other after what it holds has been sent.
 * @module
 */
import { CancelledError, Deferred, type Failure } from '../../defer/index.js';
import { ConnectionDone } from '../../internet/error.js';
import type { IProtocol, IPushProducer, IStreamTransport } from '../../internet/interfaces.js';
import type { IStreamClientEndpoint } from '../../internet/endpoints/interfaces.js';
import { Protocol } from '../../internet/protocol.js';
import { Logger } from '../../logger/index.js';
import { WebSocketProtocol } from '../../web/websocket/protocol.js';

const log = new Logger({ namespace: 'torsion.live.bridge' });

/** Close codes the bridge sends the page (RFC 6455 section 7.4 and the IANA registry). */
export const BridgeCloseCode = {
  /** The destination closed its connection cleanly. */
  NORMAL: 1000,
  /** The page sent a text message: the bridge carries bytes only. */
  UNSUPPORTED_DATA: 1003,
  /** The destination's connection was lost uncleanly (reset, timeout). */
  UPSTREAM_LOST: 1011,
  /** The destination could not be reached ("bad gateway"). */
  BAD_GATEWAY: 1014,
} as const;

/** The destination side: forwards what the server sends to the page. */
class Upstream extends Protocol<IStreamTransport> {
  constructor(readonly bridge: BridgeProtocol) {
    super();
  }

  override connectionMade(): void {
    this.bridge.upstreamConnected(this);
  }

  override dataReceived(data: Uint8Array): void {
    this.bridge.transport.sendBytesMessage(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.bridge.upstreamLost(reason);
  }
}

/**
 * The page side of one bridged connection: a `WebSocketProtocol` that connects `endpoint` once the
 * handshake is done and relays until either side closes.
 */
export class BridgeProtocol extends WebSocketProtocol {
  #upstream: Upstream | null = null;
  #attempt: Deferred<IProtocol> | null = null;
  #held: Uint8Array[] = [];
  #closed = false;
  /** True while the destination's transport is registered as the page transport's producer. */
  #producing = false;

  /** @param endpoint where this connection goes (already checked against the allow-list) */
  constructor(readonly endpoint: IStreamClientEndpoint) {
    super();
  }

  /** Stops reading from the page and connects to the destination. */
  override negotiationFinished(): void {
    this.transport.pauseProducing();
    const upstream = new Upstream(this);
    const attempt = this.endpoint.connect({ buildProtocol: () => upstream, doStart() {}, doStop() {} });
    this.#attempt = attempt;
    attempt.addErrback((reason: Failure) => {
      this.#attempt = null;
      if (this.#closed || reason.check(CancelledError)) return;
      log.info('bridge destination unreachable: {error}', { error: reason.getErrorMessage() });
      this.#closePage(BridgeCloseCode.BAD_GATEWAY, 'destination unreachable');
    });
  }

  /** @internal The destination is connected: tie the two transports together and start reading. */
  upstreamConnected(upstream: Upstream): void {
    this.#attempt = null;
    if (this.#closed) {
      upstream.transport.loseConnection();
      return;
    }
    this.#upstream = upstream;
    const held = this.#held;
    this.#held = [];
    if (held.length > 0) upstream.transport.writeSequence(held);
    // Not the WebSocket transport itself: a TCP transport stops its producer when it closes, and this
    // side's close must be the clean one upstreamLost chooses, not an abort.
    const page = this.transport;
    const reading: IPushProducer = {
      pauseProducing: () => page.pauseProducing(),
      resumeProducing: () => page.resumeProducing(),
      stopProducing: () => {},
    };
    upstream.transport.registerProducer(reading, true);
    this.transport.registerProducer(upstream.transport, true);
    this.#producing = true;
    this.transport.resumeProducing();
  }

  /** @internal The destination's connection is gone: close the page's after what it has been sent. */
  upstreamLost(reason: Failure): void {
    this.#upstream = null;
    if (this.#closed) return;
    if (reason.check(ConnectionDone)) this.#closePage(BridgeCloseCode.NORMAL);
    else this.#closePage(BridgeCloseCode.UPSTREAM_LOST, 'destination connection lost');
  }

  /** Closes the page's connection; the destination's transport stops being its producer first, or the close would wait for it. */
  #closePage(code: number, reason?: string): void {
    if (this.#producing) {
      this.#producing = false;
      this.transport.unregisterProducer();
    }
    this.transport.loseConnection(code, reason);
  }

  /** Bytes from the page go to the destination as they are. */
  override bytesMessageReceived(data: Uint8Array): void {
    if (this.#upstream !== null) this.#upstream.transport.write(data);
    else if (!this.#closed) this.#held.push(data.slice());
  }

  /** The bridge carries bytes: a text message closes the connection with 1003. */
  override textMessageReceived(_data: string): void {
    this.#closePage(BridgeCloseCode.UNSUPPORTED_DATA, 'binary messages only');
  }

  /** The page is gone: close the destination's connection, or abandon the attempt. */
  override connectionLost(_reason: Failure): void {
    this.#closed = true;
    this.#held = [];
    this.#attempt?.cancel();
    this.#attempt = null;
    const upstream = this.#upstream;
    this.#upstream = null;
    if (upstream === null) return;
    upstream.transport.unregisterProducer();
    upstream.transport.loseConnection();
  }
}
