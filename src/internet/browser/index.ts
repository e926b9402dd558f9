/**
 * Torsion in the page: a browser reactor on the page's timers and a stream transport over a WebSocket,
 * so ordinary Torsion protocols (`LineReceiver`, IRC, ...) run unchanged in a browser. No Node imports.
 * @module
 */
export type { BrowserTimers, IBrowserReactor, WebSocketLike, WebSocketConstructor, WebSocketMessageLike, WebSocketCloseLike } from './interfaces.js';
export { BrowserReactor, browserReactor, pageTimers } from './reactor.js';
export { WebSocketAddress, pageAddress } from './address.js';
export { WebSocketStreamTransport, HIGH_WATER, LOW_WATER, MAX_MESSAGE_SIZE, type StreamTransportOptions } from './transport.js';
export { WebSocketConnector, connectWebSocketStream, type WebSocketConnectOptions, type WebSocketConnectorState } from './connect.js';
