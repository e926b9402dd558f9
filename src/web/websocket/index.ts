/**
 * WebSockets (RFC 6455) for `torsion/web`: `WebSocketResource` on the server, `connectWebSocket` for
 * clients, `WebSocketProtocol` for the code on either end, permessage-deflate (RFC 7692).
 * @module
 */
export type { WebSocketTransport, WebSocketOptions, WebSocketConnectionOptions, WebSocketServerFactory, WebSocketClientOptions, WebSocketClientReactor, PerMessageDeflateOptions, OriginCheck } from './interfaces.js';
export { WebSocketProtocol } from './protocol.js';
export { WebSocketResource } from './resource.js';
export { connectWebSocket } from './client.js';
export { WebSocketConnection } from './connection.js';
export { PreparedMessage } from './prepared.js';
export { WEBSOCKET_LIMITS, WEBSOCKET_TIMEOUTS } from './limits.js';
export { WebSocketClosedError, WebSocketHandshakeError } from './errors.js';
export { CloseCode, Opcode, FrameReader, FrameError, encodeFrame, encodeTextFrame, isValidCloseCode } from './frame.js';
export { acceptKey, WEBSOCKET_GUID } from './handshake.js';
