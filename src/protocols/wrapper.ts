/**
 * `ProtocolWrapper` and `WrappingFactory` (Twisted's `protocols/policies.py`): a protocol that sits between a
 * transport and the real protocol, to watch or shape the traffic (throttling, limits, timeouts, logging).
 * Browser-safe.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type {
  Data,
  IAddress,
  IClientFactory,
  IConnector,
  IHalfCloseableProtocol,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  ISSLTransport,
  ITCPTransport,
  ITransport,
  WriteBufferLimits,
} from '../internet/interfaces.js';
import { DEFAULT_WRITE_BUFFER_LIMITS } from '../internet/capabilities.js';

/** What a wrapper sits on: any transport; the rest of a TCP (or TLS) transport is forwarded where it has it. */
export type WrappedTransport = ITransport & Partial<ITCPTransport> & Partial<ISSLTransport>;

/**
 * Wraps one protocol: to the real transport it is the protocol, to the wrapped protocol it is the transport.
 * Every call is passed through (the TLS marker too, so a wrapped protocol still knows TLS is under it);
 * subclasses override the ones they want to watch.
 */
export class ProtocolWrapper implements IHalfCloseableProtocol, ITCPTransport, ISSLTransport {
  /** The real transport, set by `makeConnection`. */
  transport!: WrappedTransport;
  /** True between `makeConnection` and `connectionLost`. */
  connected = false;

  constructor(
    readonly factory: WrappingFactory,
    readonly wrappedProtocol: IProtocol,
  ) {}

  // ---------------------------------------------------------------- protocol side (called by the transport)

  makeConnection(transport: WrappedTransport): void {
    this.connected = true;
    this.transport = transport;
    this.factory.registerProtocol(this);
    this.connectionMade();
    this.wrappedProtocol.makeConnection(this);
  }

  /** The real connection is up (the wrapped protocol hears about it right after). */
  connectionMade(): void {}

  dataReceived(data: Uint8Array): void {
    this.wrappedProtocol.dataReceived(data);
  }

  connectionLost(reason: Failure): void {
    this.connected = false;
    this.factory.unregisterProtocol(this);
    this.wrappedProtocol.connectionLost(reason);
  }

  readConnectionLost(): void {
    const p = this.wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (p.readConnectionLost) p.readConnectionLost();
    else this.transport.loseConnection();
  }

  writeConnectionLost(): void {
    (this.wrappedProtocol as Partial<IHalfCloseableProtocol>).writeConnectionLost?.();
  }

  // ---------------------------------------------------------------- transport side (called by the wrapped protocol)

  get disconnecting(): boolean {
    return this.transport.disconnecting;
  }

  write(data: Data): void {
    this.transport.write(data);
  }

  writeSequence(data: readonly Data[]): void {
    this.transport.writeSequence(data);
  }

  loseConnection(): void {
    this.transport.loseConnection();
  }

  getPeer(): IAddress {
    return this.transport.getPeer();
  }

  getHost(): IAddress {
    return this.transport.getHost();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer?.(producer, streaming);
  }

  unregisterProducer(): void {
    this.transport.unregisterProducer?.();
  }

  pauseProducing(): void {
    this.transport.pauseProducing?.();
  }

  resumeProducing(): void {
    this.transport.resumeProducing?.();
  }

  stopProducing(): void {
    const t = this.transport;
    if (t.stopProducing) t.stopProducing();
    else t.loseConnection();
  }

  getWriteBufferSize(): number {
    return this.transport.getWriteBufferSize?.() ?? 0;
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.transport.setWriteBufferLimits?.(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.transport.getWriteBufferLimits?.() ?? DEFAULT_WRITE_BUFFER_LIMITS;
  }

  cork(): void {
    this.transport.cork?.();
  }

  uncork(): void {
    this.transport.uncork?.();
  }

  abortConnection(): void {
    const t = this.transport;
    if (t.abortConnection) t.abortConnection();
    else t.loseConnection();
  }

  loseWriteConnection(): void {
    this.transport.loseWriteConnection?.();
  }

  setTcpNoDelay(enabled: boolean): void {
    this.transport.setTcpNoDelay?.(enabled);
  }

  getTcpNoDelay(): boolean {
    return this.transport.getTcpNoDelay?.() ?? false;
  }

  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void {
    this.transport.setTcpKeepAlive?.(enabled, initialDelaySeconds);
  }

  getTcpKeepAlive(): boolean {
    return this.transport.getTcpKeepAlive?.() ?? false;
  }

  isSecure(): boolean {
    return this.transport.isSecure?.() ?? false;
  }

  getPeerCertificate(): unknown {
    return this.transport.getPeerCertificate?.() ?? null;
  }

  get negotiatedProtocol(): string | null {
    return this.transport.negotiatedProtocol ?? null;
  }
}

/**
 * Wraps every protocol another factory builds in a `ProtocolWrapper` (or the subclass in `protocol`), and
 * keeps the live wrappers in `protocols`.
 *
 * @example
 * class Counting extends WrappingFactory { ... }   // or use ThrottlingFactory, LimitConnectionsByPeer
 * reactor.listenTCP(8080, new WrappingFactory(Factory.forProtocol(Echo)));
 */
export class WrappingFactory implements IClientFactory {
  /** The wrapper class built for each connection. */
  protocol: new (factory: WrappingFactory, wrapped: IProtocol) => ProtocolWrapper = ProtocolWrapper;
  /** The live wrappers. */
  readonly protocols = new Set<ProtocolWrapper>();

  constructor(readonly wrappedFactory: IProtocolFactory) {}

  doStart(): void {
    this.wrappedFactory.doStart();
  }

  doStop(): void {
    this.wrappedFactory.doStop();
  }

  /** Builds the wrapped protocol and its wrapper; null if the wrapped factory refuses. */
  buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    return wrapped === null ? null : new this.protocol(this, wrapped);
  }

  /** Called by a wrapper when its connection starts. */
  registerProtocol(p: ProtocolWrapper): void {
    this.protocols.add(p);
  }

  /** Called by a wrapper when its connection ends. */
  unregisterProtocol(p: ProtocolWrapper): void {
    this.protocols.delete(p);
  }

  startedConnecting(connector: IConnector): void {
    (this.wrappedFactory as Partial<IClientFactory>).startedConnecting?.(connector);
  }

  clientConnectionFailed(connector: IConnector, reason: Failure): void {
    (this.wrappedFactory as Partial<IClientFactory>).clientConnectionFailed?.(connector, reason);
  }

  clientConnectionLost(connector: IConnector, reason: Failure): void {
    (this.wrappedFactory as Partial<IClientFactory>).clientConnectionLost?.(connector, reason);
  }
}
