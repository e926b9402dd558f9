/**
 * TCP: `listenTCP` and `connectTCP`, IPv4 and IPv6.
 * @module
 */
import * as net from 'node:net';
import { TCP_ADDRESSES, tcpAddress } from './addresses.js';
import { StreamConnector } from './connector.js';
import type { ConnectOptions, IAddress, IClientFactory, IProtocolFactory, IReactorTime, ListenOptions } from './interfaces.js';
import { ListeningPort, bindNow } from './port.js';
import type { ReactorResources } from './reactor-resources.js';

/** What the TCP functions need from a reactor: its clock and its set of open resources. */
export interface ReactorLike extends IReactorTime {
  readonly resources?: ReactorResources;
}

/** Default seconds before a connection attempt is abandoned. */
export const DEFAULT_CONNECT_TIMEOUT = 30;

/** Sockets accept half-close; the transport decides what a peer's FIN means for its protocol. */
const SERVER_OPTIONS: net.ServerOpts = { allowHalfOpen: true };

/**
 * Listens on `port` (0 for an ephemeral one) on `options.interface` (default: every IPv4 and IPv6 address).
 * Throws `CannotListenError` if the port cannot be bound.
 */
export function listenTCP(reactor: ReactorLike, port: number, factory: IProtocolFactory, options: ListenOptions = {}): ListeningPort {
  const server = net.createServer(SERVER_OPTIONS);
  bindNow(server, { port, host: options.interface, backlog: options.backlog });
  return new ListeningPort(server, factory, TCP_ADDRESSES, reactor.resources, 'connection', boundAddress(server, port, options));
}

/**
 * The address of a server `bindNow` bound. In a cluster worker the bind completes later: until then it is
 * the address asked for; once known it is kept (a closed server no longer reports it).
 */
export function boundAddress(server: net.Server, port: number, options: ListenOptions): () => IAddress {
  let host: IAddress | undefined;
  const address = (): IAddress => {
    const bound = server.address() as net.AddressInfo | null;
    if (bound !== null) host = tcpAddress(bound.address, bound.port);
    return host ?? tcpAddress(options.interface || '::', port);
  };
  address();
  return address;
}

/** Connects to `host`:`port` (a name is resolved by the system resolver); returns the connector. */
export function connectTCP(reactor: ReactorLike, host: string, port: number, factory: IClientFactory, options: ConnectOptions = {}): StreamConnector {
  const connector = new StreamConnector(
    reactor,
    factory,
    {
      open: () =>
        net.connect({
          host,
          port,
          allowHalfOpen: true,
          localAddress: options.bindAddress?.host,
          localPort: options.bindAddress?.port,
        }),
      readyEvent: 'connect',
      addresses: TCP_ADDRESSES,
      destination: tcpAddress(host, port),
    },
    options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    reactor.resources,
  );
  connector.connect();
  return connector;
}
