/**
 * The fake listening ports and connectors `MemoryReactor` hands out: they record what was asked of them
 * and let a test decide how a connection attempt ends.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionRefusedError, UserError } from '../internet/error.js';
import type { IAddress, IClientFactory, IConnector, IListeningPort, IProtocol, IProtocolFactory, TLSOptions } from '../internet/interfaces.js';
import { connectedServerAndClient, type LoopbackConnection, type LoopbackOptions, type ProtocolSource } from './io-pump.js';
import { StringTransportWithDisconnection } from './string-transport.js';

/**
 * A port "listening" in memory. `stopListening()` fires at once and stops the factory; `connect(client)`
 * opens an in-memory connection to a protocol built by the port's factory, as an accepted socket would.
 */
export class MemoryListeningPort implements IListeningPort {
  /** False once `stopListening` was called. */
  listening = true;

  constructor(
    readonly factory: IProtocolFactory,
    readonly address: IAddress,
    readonly tlsOptions: TLSOptions | null = null,
  ) {
    factory.doStart();
  }

  /** Stops listening: the factory's `doStop` runs, and the Deferred has already fired. */
  stopListening(): Deferred<void> {
    if (this.listening) {
      this.listening = false;
      this.factory.doStop();
    }
    return Deferred.succeed<void>(undefined);
  }

  getHost(): IAddress {
    return this.address;
  }

  /**
   * Connects `client` to a new server protocol from this port's factory over the in-memory loopback. The
   * loopback is plain even for an SSL port; pass `options.tls` to run TLS through it.
   */
  connect<C extends IProtocol>(client: ProtocolSource<C>, options: LoopbackOptions = {}): LoopbackConnection<IProtocol, C> {
    if (!this.listening) throw new ConnectionRefusedError(`${this.address} is no longer listening`);
    return connectedServerAndClient(this.factory, client, { serverAddress: this.address, ...options });
  }
}

/** Where a {@link MemoryConnector} stands. */
export type ConnectorState = 'disconnected' | 'connecting' | 'connected';

/**
 * An outgoing connection attempt that waits for the test: `succeed()` connects it (to a `StringTransport`,
 * or with `connectTo(server)` to a server protocol over the loopback), `fail(reason)` fails it. The factory
 * sees the calls a real connector makes: `doStart`, `startedConnecting`, then `clientConnectionFailed` or
 * `clientConnectionLost`, and `doStop` once it stays disconnected. It may `connect()` again from those.
 */
export class MemoryConnector implements IConnector {
  state: ConnectorState = 'disconnected';
  /** The protocol of the current connection, once connected. */
  protocol: IProtocol | null = null;
  /** How many times `connect()` ran (the first from `connectTCP` & co.). */
  attempts = 0;
  #factoryStarted = false;
  #loseConnection: (() => void) | null = null;

  constructor(
    readonly factory: IClientFactory,
    readonly destination: IAddress,
    readonly tlsOptions: TLSOptions | null = null,
  ) {}

  getDestination(): IAddress {
    return this.destination;
  }

  /** (Re)starts the attempt: the factory is started once and told `startedConnecting`. */
  connect(): void {
    if (this.state !== 'disconnected') throw new Error(`can't connect in state ${this.state}`);
    this.state = 'connecting';
    this.attempts++;
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.factory.doStart();
    }
    this.factory.startedConnecting(this);
  }

  /** Gives up the attempt in progress: the factory gets `clientConnectionFailed(UserError)`. */
  stopConnecting(): void {
    if (this.state !== 'connecting') throw new Error('stopConnecting: not connecting');
    this.fail(new UserError('stopConnecting was called'));
  }

  /** Stops the attempt, or closes the connection. */
  disconnect(): void {
    if (this.state === 'connecting') this.stopConnecting();
    else if (this.state === 'connected') this.#loseConnection?.();
  }

  /** Test control: the attempt fails with `reason` (default `ConnectionRefusedError`). */
  fail(reason: Error = new ConnectionRefusedError('Connection was refused by other side.')): void {
    this.#checkConnecting('fail');
    this.state = 'disconnected';
    this.factory.clientConnectionFailed(this, new Failure(reason));
    this.#stopFactoryIfIdle();
  }

  /**
   * Test control: the attempt succeeds over a `StringTransportWithDisconnection` (peer = the destination);
   * returns the protocol the factory built and that transport.
   */
  succeed(): { protocol: IProtocol; transport: StringTransportWithDisconnection } {
    this.#checkConnecting('succeed');
    const protocol = this.#build();
    const transport = new StringTransportWithDisconnection({ protocol, peerAddress: this.destination });
    transport.onConnectionLost = (reason) => this.#lost(reason);
    this.#connected(protocol, () => transport.loseConnection());
    protocol.makeConnection(transport);
    return { protocol, transport };
  }

  /**
   * Test control: the attempt succeeds, connected over the in-memory loopback to `server` (a protocol, class
   * or factory, e.g. the factory a `MemoryReactor` recorded for `listenTCP`). `C` names the type of the
   * protocol the client factory builds, for the test's convenience.
   */
  connectTo<S extends IProtocol, C extends IProtocol = IProtocol>(server: ProtocolSource<S>, options: LoopbackOptions = {}): LoopbackConnection<S, C> {
    this.#checkConnecting('connectTo');
    const protocol = this.#build();
    const connection = connectedServerAndClient(server, protocol, { serverAddress: this.destination, ...options, greet: false });
    connection.clientTransport.onConnectionLost = (reason) => this.#lost(reason);
    this.#connected(protocol, () => connection.clientTransport.loseConnection());
    if (options.greet ?? true) connection.pump.flush();
    return connection as LoopbackConnection<S, C>;
  }

  #build(): IProtocol {
    const protocol = this.factory.buildProtocol(this.destination);
    if (protocol === null) throw new Error('the client factory returned null from buildProtocol');
    return protocol;
  }

  #connected(protocol: IProtocol, lose: () => void): void {
    this.state = 'connected';
    this.protocol = protocol;
    this.#loseConnection = lose;
  }

  #lost(reason: Failure): void {
    this.state = 'disconnected';
    this.protocol = null;
    this.#loseConnection = null;
    this.factory.clientConnectionLost(this, reason);
    this.#stopFactoryIfIdle();
  }

  #stopFactoryIfIdle(): void {
    if (this.state === 'disconnected' && this.#factoryStarted) {
      this.#factoryStarted = false;
      this.factory.doStop();
    }
  }

  #checkConnecting(what: string): void {
    if (this.state !== 'connecting') throw new Error(`${what}: the connector is ${this.state}, not connecting`);
  }
}
