/**
 * Endpoints for TCP, TLS and Unix sockets, on any reactor with the matching roles.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { IListeningPort, IProtocol, IProtocolFactory, IReactorSSL, IReactorTCP, IReactorUNIX, ListenOptions, ConnectOptions, TLSOptions } from '../interfaces.js';
import { EndpointClientFactory } from './client-factory.js';
import type { IStreamClientEndpoint, IStreamServerEndpoint } from './interfaces.js';

/** A port whose bind may complete later (a cluster worker's, see `ListeningPort.whenBound`). */
interface MaybePendingPort extends IListeningPort {
  whenBound?(): Deferred<void>;
}

function listening(fn: () => IListeningPort): Deferred<IListeningPort> {
  try {
    const port: MaybePendingPort = fn();
    return port.whenBound ? port.whenBound().addCallback(() => port) : Deferred.succeed<IListeningPort>(port);
  } catch (e) {
    return Deferred.fail<IListeningPort>(e);
  }
}

function connecting(factory: IProtocolFactory, start: (f: EndpointClientFactory) => unknown): Deferred<IProtocol> {
  const f = new EndpointClientFactory(factory);
  try {
    start(f);
  } catch (e) {
    return Deferred.fail<IProtocol>(e);
  }
  return f.deferred;
}

/** Listens on a TCP port. `new TCPServerEndpoint(reactor, 8080, { interface: '127.0.0.1' })`. */
export class TCPServerEndpoint implements IStreamServerEndpoint {
  constructor(readonly reactor: IReactorTCP, readonly port: number, readonly options: ListenOptions = {}) {}
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listening(() => this.reactor.listenTCP(this.port, factory, this.options));
  }
}

/** Connects over TCP to a host (a name is resolved by the system resolver) and port. */
export class TCPClientEndpoint implements IStreamClientEndpoint {
  constructor(readonly reactor: IReactorTCP, readonly host: string, readonly port: number, readonly options: ConnectOptions = {}) {}
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connecting(factory, (f) => this.reactor.connectTCP(this.host, this.port, f, this.options));
  }
}

/** Listens for TLS on a TCP port. */
export class SSLServerEndpoint implements IStreamServerEndpoint {
  constructor(readonly reactor: IReactorSSL, readonly port: number, readonly tlsOptions: TLSOptions, readonly options: ListenOptions = {}) {}
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listening(() => this.reactor.listenSSL(this.port, factory, this.tlsOptions, this.options));
  }
}

/** Connects with TLS (verified by default) to a host and port. */
export class SSLClientEndpoint implements IStreamClientEndpoint {
  constructor(readonly reactor: IReactorSSL, readonly host: string, readonly port: number, readonly tlsOptions: TLSOptions = {}, readonly options: ConnectOptions = {}) {}
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connecting(factory, (f) => this.reactor.connectSSL(this.host, this.port, f, this.tlsOptions, this.options));
  }
}

/** Listens on a Unix socket path. */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  constructor(readonly reactor: IReactorUNIX, readonly path: string, readonly options: { backlog?: number; mode?: number; wantPID?: boolean } = {}) {}
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listening(() => this.reactor.listenUNIX(this.path, factory, this.options));
  }
}

/** Connects to a Unix socket path. */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  constructor(readonly reactor: IReactorUNIX, readonly path: string, readonly options: { timeout?: number; checkPID?: boolean } = {}) {}
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connecting(factory, (f) => this.reactor.connectUNIX(this.path, f, this.options));
  }
}

/**
 * Connects an already-built protocol through `endpoint` (Twisted's `connectProtocol`).
 *
 * @example
 * const proto = await connectProtocol(clientFromString(reactor, 'tcp:127.0.0.1:8007'), new Echo());
 */
export function connectProtocol<P extends IProtocol>(endpoint: IStreamClientEndpoint, protocol: P): Deferred<P> {
  const factory: IProtocolFactory = { buildProtocol: () => protocol, doStart() {}, doStop() {} };
  return endpoint.connect(factory) as Deferred<P>;
}
