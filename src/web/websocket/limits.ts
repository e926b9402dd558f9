/**
 * Every limit a WebSocket peer can push against, and the timeouts that bound a silent or stuck one, with
 * their defaults, in one place. Each is an option of the same name (`WebSocketConnectionOptions`,
 * `WebSocketClientOptions`) that overrides it.
 * @module
 */

/** Size limits, in bytes. */
export const WEBSOCKET_LIMITS = {
  /** Largest message accepted, counted after inflating; larger ones close with 1009. */
  maxMessageSize: 16 * 1024 * 1024,
  /** Largest opening-handshake response head the client accepts. */
  maxHeadSize: 16 * 1024,
} as const;

/** Timeouts, in seconds. */
export const WEBSOCKET_TIMEOUTS = {
  /** Silence from the peer before a ping is sent (0 turns heartbeats off). */
  pingInterval: 30,
  /** Wait for any answer to that ping before the connection is dropped as dead. */
  pingTimeout: 30,
  /** Time the close handshake may take before the connection is dropped. */
  closeTimeout: 10,
  /** Connecting and the client's opening handshake together. */
  timeout: 30,
} as const;
