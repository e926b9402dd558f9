/**
 * `torsion/testing`: what protocol tests need instead of sockets and sleeping — a fake `Clock`,
 * `StringTransport`, `MemoryReactor`, an in-memory loopback (optionally through TLS), Deferred assertions,
 * chunk-splitting feeders and seeded randomness for parsers, a bounded `eventually` for real I/O, and
 * launchers for the real programs interop tests run against. It loads no test runner: the transport
 * conformance suite, which registers `node:test` tests, is `torsion/testing/conformance`, and headless
 * Chromium is `torsion/testing/chromium`.
 * @module
 */
export { Clock } from './clock.js';
export { DelayedCall } from '../time/delayed-call.js';
export { StringTransport, StringTransportWithDisconnection, type StringTransportOptions, type ProducerState } from './string-transport.js';
export { successResultOf, failureResultOf, assertNoResult, assertFailure, deferredTest } from './assertions.js';
export { splitEvery, splitRandom, latin1, latin1Bytes } from './chunks.js';
export { seededRandom, randomBytes } from './random.js';
export { eventually, EventuallyTimeoutError, type EventuallyOptions } from './eventually.js';
export { requirePeer, PeerMissingError, PackageMissingError, freeLoopbackPort } from './peers.js';
export { startPeerProgram, PeerStartError, PEER_PROGRAM_LIMITS, type PeerProgram, type PeerProgramOptions } from './peer-program.js';
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
