/**
 * Every limit a SOCKS client can push against, named once with its default.
 * @module
 */

/** The limits of a SOCKS server; pass a partial object to `new SOCKSServerFactory({ limits })`. */
export interface SOCKSLimits {
  /** Seconds a client has to finish greeting, logging in and asking; then the connection is dropped. */
  handshakeTimeout: number;
  /** Seconds a relayed connection may stay silent both ways before it is closed. */
  idleTimeout: number;
  /** Seconds to reach the destination before answering "host unreachable". */
  connectTimeout: number;
  /** Open connections from one client address; more are refused at once. */
  maxConnectionsPerClient: number;
  /** Open connections in all. */
  maxConnections: number;
  /** Destinations one UDP association may send to (it is a relay for one client, not for the world). */
  maxUdpDestinations: number;
  /** The longest SOCKS4 user id or SOCKS4a host name read while looking for its NUL. */
  maxSocks4FieldBytes: number;
}

/** The defaults. */
export const SOCKS_LIMITS: Readonly<SOCKSLimits> = Object.freeze({
  handshakeTimeout: 10,
  idleTimeout: 300,
  connectTimeout: 15,
  maxConnectionsPerClient: 32,
  maxConnections: 1024,
  maxUdpDestinations: 64,
  maxSocks4FieldBytes: 255,
});
