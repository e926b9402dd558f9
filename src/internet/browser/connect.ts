/**
 * Connecting a Torsion protocol to a WebSocket server from a page: a connector (Twisted's `IConnector`,
 * so client factories hear `startedConnecting`, `clientConnectionFailed` and `clientConnectionLost`) and
 * `connectWebSocketStream`, the one-call form that fires with the connected protocol.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { ConnectError, ConnectingTimeoutError, UserError } from '../error.js';
import type { IClientFactory, IConnector, IDelayedCall, IProtocol, IProtocolFactory, IReactorTime } from '../interfaces.js';
import { WebSocketAddress } from './address.js';
import type { WebSocketConstructor, WebSocketLike } from './interfaces.js';
import { Logger } from '../../logger/index.js';
import { browserReactor } from './reactor.js';
import { WebSocketStreamTransport, type StreamTransportOptions } from './transport.js';

/** How to connect; everything is optional. */
export interface WebSocketConnectOptions extends Omit<StreamTransportOptions, 'onLost' | 'reactor'> {
  /** Schedules the timeout and the drain polls (the page's shared reactor by default). */
  reactor?: IReactorTime;
  /** WebSocket subprotocols to offer. */
  subprotocols?: string[];
  /** Seconds before giving up on the handshake (default 30). */
  timeout?: number;
  /** The WebSocket class (the page's `WebSocket` by default; tests pass a fake). */
  WebSocket?: WebSocketConstructor;
}

/** What the connector is doing. */
export type WebSocketConnectorState = 'disconnected' | 'connecting' | 'connected';

const log = new Logger({ namespace: 'torsion.live.loop' });

function pageWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (ctor === undefined) throw new ConnectError('this runtime has no WebSocket class: pass options.WebSocket');
  return ctor;
}

function isClientFactory(f: IProtocolFactory): f is IClientFactory {
  return typeof (f as Partial<IClientFactory>).clientConnectionFailed === 'function';
}

/**
 * One outgoing WebSocket stream and its reconnections, as `reactor.connectTCP` returns for TCP.
 *
 * @example
 * const connector = new WebSocketConnector('ws://example.org/bridge', factory);
 * connector.connect();
 */
export class WebSocketConnector implements IConnector {
  /** What it is doing now. */
  state: WebSocketConnectorState = 'disconnected';
  /** The open connection's transport, while connected. */
  transport: WebSocketStreamTransport | null = null;
  /** Called with each connection's protocol once its `connectionMade` has run. */
  onConnected: ((protocol: IProtocol) => void) | null = null;
  readonly #options: WebSocketConnectOptions;
  readonly #reactor: IReactorTime;
  #socket: WebSocketLike | null = null;
  #timeout: IDelayedCall | null = null;
  #factoryStarted = false;

  /**
   * @param url the `ws://` or `wss://` URL
   * @param factory builds the protocol for each connection
   * @param options subprotocols, timeout, buffer marks
   */
  constructor(
    readonly url: string,
    readonly factory: IProtocolFactory,
    options: WebSocketConnectOptions = {},
  ) {
    this.#options = options;
    this.#reactor = options.reactor ?? browserReactor();
  }

  /** Starts an attempt (again, after a loss: a reconnecting factory calls this). */
  connect(): void {
    if (this.state !== 'disconnected') throw new Error(`can't connect in state ${this.state}`);
    this.state = 'connecting';
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.factory.doStart();
    }
    if (isClientFactory(this.factory)) this.factory.startedConnecting(this);
    if (this.state !== 'connecting') return;
    let socket: WebSocketLike;
    try {
      const Ctor = this.#options.WebSocket ?? pageWebSocket();
      socket = new Ctor(this.url, this.#options.subprotocols);
    } catch (e) {
      this.#failed(new Failure(e instanceof ConnectError ? e : new ConnectError(`can't open ${this.url}: ${(e as Error).message}`)));
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.#opened(socket);
    socket.onerror = () => {};
    socket.onclose = (event) => this.#failed(new Failure(new ConnectError(`WebSocket to ${this.url} closed before opening (code ${event.code})`)));
    this.#timeout = this.#reactor.callLater(this.#options.timeout ?? 30, () => {
      this.#timeout = null;
      this.#abandon(new ConnectingTimeoutError(`WebSocket handshake with ${this.url} timed out`));
    });
  }

  /** Abandons an attempt in progress: `clientConnectionFailed` gets `UserError`. */
  stopConnecting(): void {
    if (this.state !== 'connecting') throw new Error('not connecting');
    this.#abandon(new UserError('connection attempt stopped'));
  }

  /** Closes the connection, or abandons the attempt in progress. */
  disconnect(): void {
    if (this.state === 'connecting') this.stopConnecting();
    else if (this.state === 'connected') this.transport?.loseConnection();
  }

  /** The server's URL. */
  getDestination(): WebSocketAddress {
    return new WebSocketAddress(this.url);
  }

  #abandon(error: Error): void {
    const socket = this.#socket;
    if (socket !== null) {
      socket.onopen = socket.onclose = null;
      socket.close();
    }
    this.#failed(new Failure(error));
  }

  #opened(socket: WebSocketLike): void {
    this.#cancelTimeout();
    socket.onopen = null;
    let protocol: IProtocol | null;
    try {
      protocol = this.factory.buildProtocol(new WebSocketAddress(this.url));
    } catch (e) {
      this.#abandon(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (protocol === null) {
      this.#abandon(new ConnectError('the factory refused the connection'));
      return;
    }
    const { reactor: _r, subprotocols: _s, timeout: _t, WebSocket: _w, ...marks } = this.#options;
    const transport = new WebSocketStreamTransport(socket, protocol, { ...marks, reactor: this.#reactor, onLost: (reason) => this.#lost(reason) });
    this.transport = transport;
    this.state = 'connected';
    try {
      transport.start();
    } catch (e) {
      log.failure('connectionMade failed: aborting the connection', new Failure(e));
      transport.abortConnection();
      return;
    }
    this.onConnected?.(protocol);
  }

  #failed(reason: Failure): void {
    if (this.state !== 'connecting') return;
    this.#cancelTimeout();
    this.#socket = null;
    this.state = 'disconnected';
    if (isClientFactory(this.factory)) this.factory.clientConnectionFailed(this, reason);
    this.#maybeStopFactory();
  }

  #lost(reason: Failure): void {
    this.#socket = null;
    this.transport = null;
    this.state = 'disconnected';
    if (isClientFactory(this.factory)) this.factory.clientConnectionLost(this, reason);
    this.#maybeStopFactory();
  }

  /** The factory stops unless its callbacks started a new attempt (a reconnecting factory). */
  #maybeStopFactory(): void {
    if (this.state !== 'disconnected' || !this.#factoryStarted) return;
    this.#factoryStarted = false;
    this.factory.doStop();
  }

  #cancelTimeout(): void {
    if (this.#timeout?.active()) this.#timeout.cancel();
    this.#timeout = null;
  }
}

function isFactory(x: IProtocolFactory | IProtocol): x is IProtocolFactory {
  return typeof (x as Partial<IProtocolFactory>).buildProtocol === 'function';
}

/**
 * Connects a protocol (or one a factory builds) over a WebSocket stream to `url`, usually a
 * `WebSocketBridgeResource` that relays to a TCP server. Fires with the protocol once `connectionMade`
 * has run; fails with a `ConnectError` if the socket closes before opening, `ConnectingTimeoutError`
 * after `timeout`; cancelling it abandons the attempt.
 *
 * @param reactorOrOptions a reactor (for its clock), or the full options
 * @example
 * class Chat extends LineReceiver {
 *   override lineReceived(line: Uint8Array) { console.log(decodeUtf8(line)); }
 * }
 * const chat = await connectWebSocketStream(`ws://${location.host}/bridge`, new Chat());
 * chat.sendLine('hello');
 */
export function connectWebSocketStream<P extends IProtocol>(
  url: string,
  factoryOrProtocol: IProtocolFactory | P,
  reactorOrOptions?: IReactorTime | WebSocketConnectOptions,
): Deferred<P> {
  const options: WebSocketConnectOptions =
    reactorOrOptions !== undefined && typeof (reactorOrOptions as Partial<IReactorTime>).callLater === 'function'
      ? { reactor: reactorOrOptions as IReactorTime }
      : ((reactorOrOptions as WebSocketConnectOptions | undefined) ?? {});
  const inner: IProtocolFactory | null = isFactory(factoryOrProtocol) ? factoryOrProtocol : null;
  let connector: WebSocketConnector | null = null;
  let cancelled = false;
  // Cancelling fails the Deferred with CancelledError, as Twisted's endpoints do, not with the UserError
  // that stopConnecting hands the factory.
  const d = new Deferred<P>(() => {
    cancelled = true;
    if (connector?.state === 'connecting') connector.stopConnecting();
  });
  const factory: IClientFactory = {
    buildProtocol: (addr) => (inner !== null ? inner.buildProtocol(addr) : (factoryOrProtocol as P)),
    doStart: () => inner?.doStart(),
    doStop: () => inner?.doStop(),
    startedConnecting() {},
    clientConnectionFailed(_c, reason) {
      if (!d.called && !cancelled) d.errback(reason);
    },
    clientConnectionLost(_c, reason) {
      if (!d.called && !cancelled) d.errback(reason);
    },
  };
  connector = new WebSocketConnector(url, factory, options);
  // Fire once connectionMade has run, as the TCP endpoints do.
  connector.onConnected = (protocol) => d.callback(protocol as P);
  connector.connect();
  return d;
}
