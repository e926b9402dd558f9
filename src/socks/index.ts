/**
 * `torsion/socks`: a SOCKS4/4a/5 server with logins through torsion/cred and safe access rules, and
 * client endpoints that go through a SOCKS proxy.
 * @module
 */
export { SOCKSServer, SOCKSServerFactory } from './server.js';
export { SOCKS5ClientEndpoint, SOCKS4ClientEndpoint, type SOCKS5ClientOptions } from './client.js';
export { AccessPolicy, DENIED_RANGES, parseRange, parseIP, type AddressRange } from './access.js';
export * as codec from './codec.js';
export { SOCKS_LIMITS, type SOCKSLimits } from './limits.js';
export { SOCKSError, SOCKSProtocolError, SOCKSAuthError, SOCKSConnectError, SOCKSBadRangeError } from './errors.js';
export type { SOCKSServerOptions, SOCKSResolver } from './interfaces.js';
