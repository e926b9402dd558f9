/**
 * WebSocket errors. `WebSocketClosedError` is what `connectionLost` is handed; the handshake errors are what
 * `connectWebSocket`'s Deferred fails with.
 * @module
 */
import { TorsionError } from '../../errors/index.js';

/**
 * How a WebSocket connection ended: the close code and reason the peer sent (1005 when its close frame had
 * no code, 1006 when no close frame arrived at all, or the code Torsion failed the connection with), and
 * whether the close handshake completed both ways.
 */
export class WebSocketClosedError extends TorsionError {
  override readonly code = 'TORSION_WEBSOCKET_CLOSED';
  override name = 'WebSocketClosedError';
  constructor(
    /** The WebSocket close code (1000 normal, 1006 abnormal, ...); `code` is the error's kind. */
    readonly closeCode: number,
    /** The close reason (UTF-8 text, possibly empty). */
    readonly reason: string,
    /** True when close frames were exchanged both ways before the TCP connection closed. */
    readonly wasClean: boolean,
  ) {
    super(`WebSocket closed with ${closeCode}${reason ? ` (${reason})` : ''}${wasClean ? '' : ', not cleanly'}`);
  }
}

/** The opening handshake failed: `status` is the server's HTTP status when it answered with one. */
export class WebSocketHandshakeError extends TorsionError {
  override name = 'WebSocketHandshakeError';
  override readonly code = 'TORSION_WEBSOCKET_HANDSHAKE';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}
