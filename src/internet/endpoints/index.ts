/**
 * Endpoints: where to listen and what to connect to, as objects or description strings.
 * @module
 */
export type { IStreamServerEndpoint, IStreamClientEndpoint } from './interfaces.js';
export { TCPServerEndpoint, TCPClientEndpoint, SSLServerEndpoint, SSLClientEndpoint, UNIXServerEndpoint, UNIXClientEndpoint, connectProtocol } from './stream-endpoints.js';
export { ProcessEndpoint, type ProcessEndpointOptions } from './process-endpoint.js';
export { HostnameEndpoint, interleave, type HostnameEndpointOptions, type ResolvedAddress, type Resolver } from './hostname.js';
export { serverFromString, clientFromString } from './from-string.js';
export { parseDescription, type ParsedDescription } from './parse.js';
