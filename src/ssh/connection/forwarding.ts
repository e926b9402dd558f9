/**
 * TCP forwarding over SSH (RFC 4254 §7): `direct-tcpip` channels (local forwarding, `ssh -L`) and
 * `tcpip-forward` / `forwarded-tcpip` (remote forwarding, `ssh -R`), through the reactor's `connectTCP`
 * and `listenTCP`. Every destination is checked against an allow-list, empty by default.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { isIPAddress } from '../../internet/address.js';
import { ClientFactory, Factory, Protocol } from '../../internet/index.js';
import type { IAddress, IClientFactory, IConnector, IListeningPort, IReactorTCP, IStreamTransport, ITCPTransport } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { SSHChannel } from './channel.js';
import type { SSHConnection } from './connection.js';
import { ChannelOpenError, ForwardingRefusedError } from './errors.js';
import type { GlobalRequestAnswer } from './interfaces.js';
import { OPEN_ADMINISTRATIVELY_PROHIBITED, OPEN_CONNECT_FAILED, boundPort, parseHostPort, parseTCPIPOpenData, tcpipOpenData, type HostPort } from './messages.js';

const log = new Logger({ namespace: 'torsion.ssh.forwarding' });

/** Decides whether forwarding may reach (local) or bind (remote) `host:port`. */
export interface IForwardPermission {
  permits(host: string, port: number): boolean;
}

/** Permits what every one of `permissions` permits (an allow-list and a key's own narrower list). */
export function allPermit(...permissions: IForwardPermission[]): IForwardPermission {
  return { permits: (host, port) => permissions.every((p) => p.permits(host, port)) };
}

/**
 * Which `host:port` destinations forwarding may reach (local) or bind (remote). Entries are `host:port`,
 * `[v6]:port`, with `*` for any port; hosts compare exactly (case-insensitively), and `*:*` allows all.
 *
 * @example
 * const allow = new ForwardAllowList(['127.0.0.1:8080', 'db.internal:*']);
 * allow.permits('127.0.0.1', 8080); // true
 */
export class ForwardAllowList implements IForwardPermission {
  readonly #entries: Array<{ host: string; port: number | '*' }>;

  constructor(entries: readonly string[] = []) {
    this.#entries = entries.map((entry) => {
      const match = /^(?:\[([^\]]+)\]|([^:]+)):(\*|\d{1,5})$/.exec(entry);
      if (match === null) throw new ForwardingRefusedError(`not a host:port forwarding entry: ${JSON.stringify(entry)}`);
      const port = match[3] === '*' ? '*' : Number(match[3]);
      if (port !== '*' && port > 65535) throw new ForwardingRefusedError(`port out of range in ${JSON.stringify(entry)}`);
      return { host: (match[1] ?? match[2]).toLowerCase(), port };
    });
  }

  /** True if `host:port` is allowed. */
  permits(host: string, port: number): boolean {
    const h = host.toLowerCase();
    return this.#entries.some((e) => (e.host === '*' || e.host === h) && (e.port === '*' || e.port === port));
  }
}

/**
 * A channel carrying one forwarded TCP connection: the channel's data is written to the TCP side and
 * the TCP side's data to the channel, each pacing the other.
 */
export class ForwardingChannel extends SSHChannel {
  #peer: IStreamTransport | undefined;
  #early: Uint8Array[] = [];

  constructor(channelType: string) {
    super();
    this.name = channelType;
  }

  /** The TCP connection is there: data flows both ways, each side a producer for the other. */
  attach(peer: IStreamTransport): void {
    this.#peer = peer;
    this.registerProducer(peer, true);
    peer.registerProducer(this, true);
    for (const data of this.#early.splice(0)) peer.write(data);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#peer === undefined) this.#early.push(data);
    else this.#peer.write(data);
  }

  override eofReceived(): void {
    const peer = this.#peer as Partial<ITCPTransport> | undefined;
    if (typeof peer?.loseWriteConnection === 'function') peer.loseWriteConnection();
    else this.#peer?.loseConnection();
  }

  override closed(): void {
    this.#peer?.loseConnection();
  }
}

/** The TCP side of a forwarded connection. */
class ForwardingProtocol extends Protocol<IStreamTransport> {
  constructor(
    readonly channel: ForwardingChannel,
    readonly onConnected: (protocol: ForwardingProtocol) => void,
  ) {
    super();
  }

  override connectionMade(): void {
    this.onConnected(this);
  }

  override dataReceived(data: Uint8Array): void {
    this.channel.write(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.channel.sendEOF();
    this.channel.loseConnection();
  }
}

/** A client factory for one outgoing forwarded connection; tells `done` how the attempt went. */
class OneConnectionFactory extends ClientFactory<ForwardingProtocol> {
  constructor(
    readonly build: () => ForwardingProtocol,
    readonly failed: (reason: Failure) => void,
  ) {
    super();
  }

  override buildProtocol(_addr: IAddress): ForwardingProtocol {
    return this.build();
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.failed(reason);
  }
}

/**
 * A `channelType` channel whose far side is a new connection made by `connect` (to `what`): it is ready
 * (the Deferred fires) once the connection is made, and fails with `ChannelOpenError(CONNECT_FAILED)` if it
 * cannot be.
 */
export function connectChannelWith(channelType: string, what: string, connect: (factory: IClientFactory) => unknown): Deferred<SSHChannel> {
  const channel = new ForwardingChannel(channelType);
  const d = new Deferred<SSHChannel>();
  const factory = new OneConnectionFactory(
    () =>
      new ForwardingProtocol(channel, (p) => {
        channel.attach(p.transport);
        d.callback(channel);
      }),
    (reason) => d.errback(new ChannelOpenError(`connect to ${what} failed: ${reason.getErrorMessage()}`, OPEN_CONNECT_FAILED)),
  );
  connect(factory);
  return d;
}

/** A `channelType` channel whose TCP side is a new connection to `target` (see {@link connectChannelWith}). */
export function connectChannel(reactor: IReactorTCP, channelType: string, target: HostPort): Deferred<SSHChannel> {
  return connectChannelWith(channelType, `${target.host}:${target.port}`, (factory) => reactor.connectTCP(target.host, target.port, factory));
}

/**
 * A factory for a listening port: each connection it accepts waits (paused) while a `channelType` channel
 * with the data `openData(peer)` opens towards the peer of `connection`, then flows through it; it is
 * closed if the channel is refused.
 */
export function channelOpeningFactory(connection: SSHConnection, channelType: string, openData: (peer: Partial<HostPort>) => Uint8Array): Factory<Protocol<IStreamTransport>> {
  const factory = new Factory<Protocol<IStreamTransport>>();
  factory.buildProtocol = () => {
    const channel = new ForwardingChannel(channelType);
    return new ForwardingProtocol(channel, (p) => {
      const peer = p.transport.getPeer() as Partial<HostPort>;
      p.transport.pauseProducing();
      connection.openChannel(channel, openData(peer)).addCallbacks(
        () => {
          channel.attach(p.transport);
          p.transport.resumeProducing();
        },
        () => p.transport.loseConnection(),
      );
    });
  };
  return factory;
}

/**
 * Opens the TCP side of a `direct-tcpip` channel (server side of `ssh -L`): refused unless `allow`
 * permits the target; the channel is confirmed only once the connection is made.
 */
export function openDirectTCPIP(reactor: IReactorTCP, allow: IForwardPermission, data: Uint8Array): Deferred<SSHChannel> {
  const { target, origin } = parseTCPIPOpenData(data);
  if (!allow.permits(target.host, target.port)) {
    log.info('direct-tcpip to {host}:{port} refused by the allow-list', { host: target.host, port: target.port });
    return Deferred.fail(new ChannelOpenError('forwarding to this destination is not allowed', OPEN_ADMINISTRATIVELY_PROHIBITED));
  }
  log.info('direct-tcpip to {host}:{port} from {origin}', { host: target.host, port: target.port, origin: `${origin.host}:${origin.port}` });
  return connectChannel(reactor, 'direct-tcpip', target);
}

/**
 * The remote forwards of one connection (server side of `ssh -R`): `tcpip-forward` listens, each
 * accepted connection opens a `forwarded-tcpip` channel to the client; `cancel-tcpip-forward` and the
 * end of the connection stop listening.
 */
export class RemoteForwards {
  readonly #ports = new Map<string, IListeningPort>();

  constructor(
    readonly reactor: IReactorTCP,
    readonly allow: IForwardPermission,
  ) {}

  /** Answers `tcpip-forward` (with the bound port when 0 was asked) and `cancel-tcpip-forward`. */
  globalRequest(requestType: string, data: Uint8Array, connection: SSHConnection): GlobalRequestAnswer | undefined {
    if (requestType === 'tcpip-forward') return this.#listen(parseHostPort(data), connection);
    if (requestType === 'cancel-tcpip-forward') {
      const { host, port } = parseHostPort(data);
      const listening = this.#ports.get(`${host}:${port}`);
      if (listening === undefined) return false;
      this.#ports.delete(`${host}:${port}`);
      void listening.stopListening();
      return true;
    }
    return undefined;
  }

  /** Stops every listening port. */
  stopAll(): void {
    for (const port of this.#ports.values()) void port.stopListening();
    this.#ports.clear();
  }

  #listen(bind: HostPort, connection: SSHConnection): GlobalRequestAnswer {
    if (!this.allow.permits(bind.host, bind.port)) {
      log.info('tcpip-forward on {host}:{port} refused by the allow-list', { host: bind.host, port: bind.port });
      return false;
    }
    if (this.#ports.size >= connection.limits.maxRemoteForwards) return false;
    let bound = bind.port;
    const factory = channelOpeningFactory(connection, 'forwarded-tcpip', (peer) =>
      tcpipOpenData({ target: { host: bind.host, port: bound }, origin: { host: peer.host ?? '', port: peer.port ?? 0 } }),
    );
    const address = bindInterface(bind.host);
    if (address === null) return false;
    let port: IListeningPort;
    try {
      port = this.reactor.listenTCP(bind.port, factory, { interface: address });
    } catch (e) {
      log.info('tcpip-forward on {host}:{port} failed: {error}', { host: bind.host, port: bind.port, error: (e as Error).message });
      return false;
    }
    bound = (port.getHost() as Partial<HostPort>).port ?? bind.port;
    this.#ports.set(`${bind.host}:${bind.port}`, port);
    return bind.port === 0 ? boundPort(bound) : true;
  }
}

/**
 * The interface to listen on for a `tcpip-forward` bind address (RFC 4254 §7.1): `""` all addresses,
 * `localhost` the IPv4 loopback, an IP literal itself; null for any other name (not resolved here).
 */
export function bindInterface(host: string): string | undefined | null {
  if (host === '') return undefined;
  if (host.toLowerCase() === 'localhost') return '127.0.0.1';
  return isIPAddress(host) ? host : null;
}

/**
 * Local forwarding on a client (`ssh -L`): listens on `localPort` and opens a `direct-tcpip` channel to
 * `remote` for each accepted connection.
 *
 * @example
 * const port = forwardLocalPort(reactor, connection, 0, { host: '127.0.0.1', port: 5432 });
 */
export function forwardLocalPort(reactor: IReactorTCP, connection: SSHConnection, localPort: number, remote: HostPort, localInterface = '127.0.0.1'): IListeningPort {
  const factory = channelOpeningFactory(connection, 'direct-tcpip', (peer) => tcpipOpenData({ target: remote, origin: { host: peer.host ?? '', port: peer.port ?? 0 } }));
  return reactor.listenTCP(localPort, factory, { interface: localInterface });
}
