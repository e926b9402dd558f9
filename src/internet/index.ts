/**
 * `torsion/internet`: the reactor, transports, endpoints, protocols and factories.
 * @module
 */
export type * from './interfaces.js';
export * from './address.js';
export * from './error.js';
export { Protocol, Factory, ClientFactory, DatagramProtocol, ProcessProtocol, connectionDone } from './protocol.js';
export { DelayedCall } from '../time/delayed-call.js';
export { defaultReactor, installReactor, type InstallReactorOptions } from '../time/default-reactor.js';
export { NodeReactor, reactor, ReactorAlreadyRunning, ReactorNotRunning, type RunOptions } from './reactor.js';
export { SocketTransport } from './socket-transport.js';
export { adoptSocket } from './adopt.js';
export { HIGH_WATER, LOW_WATER, DEFAULT_WRITE_BUFFER_LIMITS, isSecure, readIntoBuffer, sslOf, writeBufferLimits, writesFromBuffer } from './capabilities.js';
export { ListeningPort } from './port.js';
export { StreamConnector } from './connector.js';
export { listenTCP, connectTCP, DEFAULT_CONNECT_TIMEOUT } from './tcp.js';
export { listenSSL, connectSSL } from './tls.js';
export { InsecureTLSOptionsError, DANGEROUSLY_DISABLE_VERIFICATION } from './tls-options.js';
export { listenUNIX, connectUNIX, type UNIXListenOptions, type UNIXConnectOptions } from './unix.js';
export * from './endpoints/index.js';
export { TLSWrapperProtocol, TLSWrappingFactory, wrapTLS } from './tls-wrapper.js';
export { listenUDP, UDPPort, InvalidAddressError, type UDPOptions, type DatagramAddress } from './udp.js';
export { listenMulticast, MulticastPort, MulticastJoinError, type MulticastOptions } from './multicast.js';
export { spawnProcess, ProcessTransport, ProcessExitedAlready, ProcessSpawnError, type ProcessOptions } from './process.js';
export { StandardIO, type StandardIOOptions } from './stdio.js';
export { ProcessStreamTransport, ProcessStreamProtocol, type StandardErrorBehavior } from './process-stream.js';
export { ReconnectingClientFactory } from './reconnect.js';
export { ClientService, backoffPolicy, type ClientEndpoint, type ClientServiceOptions, type RetryPolicy } from './client-service.js';
export * from './task/index.js';
