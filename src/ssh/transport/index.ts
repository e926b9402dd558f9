/**
 * The SSH transport layer (RFC 4253 and its extensions): {@link SSHClientTransport} and
 * {@link SSHServerTransport}, the algorithm lists, and the sans-I/O packet codec.
 * @module
 */
export { SSHTransportProtocol, type SSHTransportOptions, type KexRound } from './transport-protocol.js';
export { SSHClientTransport, type SSHClientTransportOptions, type HostKeyDetails } from './client.js';
export { SSHServerTransport, type SSHServerTransportOptions, DEFAULT_SERVER_SIG_ALGS } from './server.js';
export {
  DEFAULT_ALGORITHMS,
  LEGACY_ALGORITHMS,
  KEX_ALGORITHMS,
  HOST_KEY_ALGORITHMS,
  CIPHER_ALGORITHMS,
  MAC_ALGORITHMS,
  COMPRESSION_ALGORITHMS,
  type SSHAlgorithms,
  type NegotiatedAlgorithms,
} from './algorithms.js';
export { MSG, DISCONNECT, FIRST_SERVICE_MESSAGE } from './constants.js';
export { PacketEncoder, PacketDecoder } from './packet-codec.js';
export type { DirectionKeys } from './ciphers.js';
