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
  ITCPTransport,
  ITransport,
} from '../internet/interfaces.js';

/** The optional transport methods a wrapper forwards when the real transport has them. */
type Optional = Partial<Omit<ITCPTransport, keyof ITransport | 'disconnecting'>>;

/**
 * Wraps one protocol: to the real transport it is the protocol, to the wrapped protocol it is the transport.
 * Every call is passed through; subclasses override the ones they want to watch.
 */
export class ProtocolWrapper implements IHalfCloseableProtocol, ITCPTransport {
  /** The real transport, set by `makeConnection`. */
  transport!: ITransport;
  /** True between `makeConnection` and `connectionLost`. */
  connected = false;

  constructor(
    readonly factory: WrappingFactory,
    readonly wrappedProtocol: IProtocol,
  ) {}

  // ---------------------------------------------------------------- protocol side (called by the transport)

  makeConnection(transport: ITransport): void {
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
    this.#optional().registerProducer?.(producer, streaming);
  }

  unregisterProducer(): void {
    this.#optional().unregisterProducer?.();
  }

  pauseProducing(): void {
    this.#optional().pauseProducing?.();
  }

  resumeProducing(): void {
    this.#optional().resumeProducing?.();
  }

  stopProducing(): void {
    const t = this.#optional();
    if (t.stopProducing) t.stopProducing();
    else this.transport.loseConnection();
  }

  abortConnection(): void {
    const t = this.#optional();
    if (t.abortConnection) t.abortConnection();
    else this.transport.loseConnection();
  }

  loseWriteConnection(): void {
    this.#optional().loseWriteConnection?.();
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#optional().setTcpNoDelay?.(enabled);
  }

  getTcpNoDelay(): boolean {
    return this.#optional().getTcpNoDelay?.() ?? false;
  }

  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void {
    this.#optional().setTcpKeepAlive?.(enabled, initialDelaySeconds);
  }

  getTcpKeepAlive(): boolean {
    return this.#optional().getTcpKeepAlive?.() ?? false;
  }

  #optional(): Optional {
    return this.transport as Optional;
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
