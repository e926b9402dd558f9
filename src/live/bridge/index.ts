/**
 * The server half of Torsion in the page: a WebSocket-to-TCP bridge with an allow-list.
 * @module
 */
export { WebSocketBridgeResource, allowTCPDestinations, BRIDGE_MAX_MESSAGE_SIZE, type BridgeDestination } from './resource.js';
export { BridgeProtocol, BridgeCloseCode } from './relay.js';
