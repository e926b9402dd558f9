/**
 * `WebSocketProtocol`: the base class of user code on either end of a WebSocket (Twisted 24's
 * `twisted.web.websocket` names). Override what you need; every method has a do-nothing default.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import type { WebSocketTransport } from './interfaces.js';

/**
 * The messages of one WebSocket connection. Call order:
 * `negotiationStarted -> negotiationFinished -> (textMessageReceived | bytesMessageReceived | pongReceived)* -> connectionLost`.
 *
 * @example
 * class Echo extends WebSocketProtocol {
 *   override textMessageReceived(text: string) { this.transport.sendTextMessage(text); }
 * }
 */
export class WebSocketProtocol {
  /** The connection, set by `negotiationStarted`. */
  transport!: WebSocketTransport;

  /** The handshake is done: the transport is ready. */
  negotiationStarted(transport: WebSocketTransport): void {
    this.transport = transport;
  }

  /** Called right after `negotiationStarted`: the place to send first messages. */
  negotiationFinished(): void {}

  /** A whole text message arrived (fragments joined, UTF-8 checked). */
  textMessageReceived(_data: string): void {}

  /** A whole binary message arrived. */
  bytesMessageReceived(_data: Uint8Array): void {}

  /** A pong arrived (the answer to `transport.ping`, or an unsolicited heartbeat). */
  pongReceived(_payload: Uint8Array): void {}

  /** The connection is gone; `reason.value` is a `WebSocketClosedError`. */
  connectionLost(_reason: Failure): void {}
}
