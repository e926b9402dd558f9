/**
 * `torsion/testing`: what protocol tests need instead of sockets and sleeping — a fake `Clock`,
 * `StringTransport`, `MemoryReactor`, an in-memory loopback (optionally through TLS) and node:test helpers.
 * @module
 */
export { Clock } from './clock.js';
export { DelayedCall } from '../internet/delayed-call.js';
export { StringTransport, StringTransportWithDisconnection, type StringTransportOptions, type ProducerState } from './string-transport.js';
export { successResultOf, failureResultOf, assertNoResult, assertFailure, deferredTest } from './assertions.js';
export { requirePeer, PeerMissingError, freeLoopbackPort } from './peers.js';
export { connectedServerAndClient, loopbackAsync, IOPump, type LoopbackOptions, type LoopbackConnection, type ProtocolSource } from './io-pump.js';
export { LoopbackTransport } from './loopback-transport.js';
export { nodeTLSLayer, type TLSLayer, type TLSLayerFactory, type TLSLayerHooks } from './tls-layer.js';
export { selfSignedCertificate, type SelfSignedCertificate } from './certificates.js';
export {
  MemoryReactor,
  ReactorNotRunningError,
  type TCPServerRecord,
  type TCPClientRecord,
  type SSLServerRecord,
  type SSLClientRecord,
  type UNIXServerRecord,
  type UNIXClientRecord,
  type UDPRecord,
} from './memory-reactor.js';
export { MemoryDatagramPort, type SentDatagram } from './memory-udp.js';
export { MemoryListeningPort, MemoryConnector, type ConnectorState } from './memory-ports.js';
