/**
 * `StreamConnector`: an outgoing stream connection and its life (Twisted's `BaseConnector`): the factory is
 * started once, told `startedConnecting`, then `clientConnectionFailed` or, after a connection,
 * `clientConnectionLost`; it may call `connector.connect()` again from either (what reconnecting factories do).
 * @module
 */
import type * as net from 'node:net';
import { Failure } from '../defer/index.js';
import { ConnectError, ConnectingTimeoutError, ConnectionRefusedError, DNSLookupError, UserError } from './error.js';
import type { IAddress, IClientFactory, IConnector, IProtocol } from './interfaces.js';
import { logError } from './log.js';
import type { ReactorResources } from './reactor-resources.js';
import { SocketTransport } from './socket-transport.js';
import type { AddressPolicy, TransportContext } from './transport-context.js';
import type { IDelayedCall, IReactorTime } from './interfaces.js';

/** How a connector opens its socket. */
export interface SocketOpener {
  /** Starts connecting; the socket emits `readyEvent` once usable. */
  open(): net.Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
  readonly addresses: AddressPolicy;
  readonly destination: IAddress;
}

/** An optional hook endpoints use to learn that `connectionMade` has run. */
export interface ConnectionListener {
  connectionEstablished?(protocol: IProtocol): void;
}

/** Turns a Node connect error into Torsion's error hierarchy. */
export function connectErrorFor(e: Error & { code?: string }): ConnectError {
  const message = e.message;
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ENOENT':
      return new ConnectionRefusedError(message, { cause: e });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new DNSLookupError(message, { cause: e });
    case 'ETIMEDOUT':
      return new ConnectingTimeoutError(message, { cause: e });
    default:
      return new ConnectError(message, { cause: e });
  }
}

type State = 'disconnected' | 'connecting' | 'connected';

/** A connection attempt for one client factory; reusable (`connect()` again after a failure or loss). */
export class StreamConnector implements IConnector {
  state: State = 'disconnected';
  transport: SocketTransport | undefined;
  #socket: net.Socket | undefined;
  #timeoutCall: IDelayedCall | undefined;
  #factoryStarted = false;
  #context: TransportContext | undefined;

  constructor(
    readonly clock: IReactorTime,
    readonly factory: IClientFactory,
    readonly opener: SocketOpener,
    readonly timeout: number,
    readonly resources?: ReactorResources,
  ) {}

  /** Starts (or restarts) connecting. */
  connect(): void {
    if (this.state !== 'disconnected') throw new Error(`can't connect in state ${this.state}`);
    this.state = 'connecting';
    if (!this.#factoryStarted) {
      this.factory.doStart();
      this.#factoryStarted = true;
    }
    let socket: net.Socket;
    try {
      socket = this.opener.open();
    } catch (e) {
      this.state = 'connecting';
      queueMicrotask(() => this.#failed(e instanceof ConnectError ? e : new ConnectError(String((e as Error).message ?? e), { cause: e })));
      this.factory.startedConnecting(this);
      return;
    }
    this.#socket = socket;
    const onError = (e: Error): void => this.#failed(connectErrorFor(e));
    socket.once('error', onError);
    socket.once(this.opener.readyEvent, () => {
      socket.removeListener('error', onError);
      this.#connected(socket);
    });
    if (this.timeout > 0) {
      this.#timeoutCall = this.clock.callLater(this.timeout, () => {
        this.#timeoutCall = undefined;
        this.#failed(new ConnectingTimeoutError(`connecting to ${this.opener.destination} took longer than ${this.timeout} s`));
      });
    }
    this.factory.startedConnecting(this);
  }

  /** Gives up on the attempt in progress: `clientConnectionFailed` gets `UserError`. */
  stopConnecting(): void {
    if (this.state !== 'connecting') throw new Error(`stopConnecting: not connecting (state ${this.state})`);
    this.#failed(new UserError('connection was cancelled with stopConnecting()'));
  }

  /** Drops the connection, or stops the attempt in progress. */
  disconnect(): void {
    if (this.state === 'connecting') this.stopConnecting();
    else if (this.state === 'connected') this.transport?.loseConnection();
  }

  getDestination(): IAddress {
    return this.opener.destination;
  }

  #clearTimeout(): void {
    if (this.#timeoutCall?.active()) this.#timeoutCall.cancel();
    this.#timeoutCall = undefined;
  }

  #failed(error: ConnectError): void {
    if (this.state !== 'connecting') return;
    this.#clearTimeout();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
    }
    this.state = 'disconnected';
    try {
      this.factory.clientConnectionFailed(this, new Failure(error));
    } catch (e) {
      logError('clientConnectionFailed failed', e);
    }
    this.#maybeStopFactory();
  }

  #connected(socket: net.Socket): void {
    this.#clearTimeout();
    this.#socket = undefined;
    let protocol: IProtocol | null = null;
    try {
      protocol = this.factory.buildProtocol(this.opener.addresses.peer(socket));
    } catch (e) {
      logError('buildProtocol failed', e);
    }
    if (!protocol) {
      this.#socket = socket;
      this.#failed(new ConnectError('the factory refused the connection (buildProtocol returned nothing)'));
      return;
    }
    this.state = 'connected';
    this.#context ??= { addresses: this.opener.addresses, resources: this.resources, owner: this };
    this.transport = SocketTransport.connect(socket, protocol, this.#context);
    if (!this.transport.disconnected) (this.factory as ConnectionListener).connectionEstablished?.(protocol);
  }

  /** @internal called by the transport after `connectionLost`. */
  connectionEnded(_transport: SocketTransport, reason: Failure): void {
    this.state = 'disconnected';
    this.transport = undefined;
    try {
      this.factory.clientConnectionLost(this, reason);
    } catch (e) {
      logError('clientConnectionLost failed', e);
    }
    this.#maybeStopFactory();
  }

  #maybeStopFactory(): void {
    if (this.state === 'disconnected' && this.#factoryStarted) {
      this.#factoryStarted = false;
      this.factory.doStop();
    }
  }

  toString(): string {
    return `<StreamConnector to ${this.opener.destination} ${this.state}>`;
  }
}
