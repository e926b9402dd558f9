/**
 * TLS over TCP: `listenSSL` and `connectSSL`. Clients verify the certificate chain and the host name by
 * default; see `tls-options.ts` for the one loud option that turns that off.
 * @module
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { TCP_ADDRESSES, tcpAddress } from './addresses.js';
import { StreamConnector } from './connector.js';
import type { ConnectOptions, IClientFactory, IProtocolFactory, ListenOptions, TLSOptions } from './interfaces.js';
import { ListeningPort, bindNow } from './port.js';
import { DEFAULT_CONNECT_TIMEOUT, boundAddress, type ReactorLike } from './tcp.js';
import { clientTLSOptions } from './tls-options.js';

/**
 * Listens for TLS on `port`; `tlsOptions` are Node's `tls.createServer` options (`key`, `cert`, `ca`,
 * `ALPNProtocols`, `requestCert`, ...). Protocols see `connectionMade` once the handshake is done.
 */
export function listenSSL(reactor: ReactorLike, port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options: ListenOptions = {}): ListeningPort {
  const server = tls.createServer({ ...(tlsOptions as tls.TlsOptions), allowHalfOpen: true });
  // A failed handshake is the client's problem, not the server's: don't let it reach 'error'.
  server.on('tlsClientError', () => {});
  bindNow(server as net.Server, { port, host: options.interface, backlog: options.backlog });
  return new ListeningPort(server, factory, TCP_ADDRESSES, reactor.resources, 'secureConnection', boundAddress(server as net.Server, port, options));
}

/**
 * Connects with TLS to `host`:`port`. The server's certificate must chain to `tlsOptions.ca` (or the system
 * store) and match `host` (or `servername`); a failure reaches `clientConnectionFailed`.
 */
export function connectSSL(reactor: ReactorLike, host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options: ConnectOptions = {}): StreamConnector {
  const opts = clientTLSOptions(tlsOptions, host);
  const connector = new StreamConnector(
    reactor,
    factory,
    {
      open: () =>
        tls.connect({
          ...opts,
          host,
          port,
          allowHalfOpen: true,
          localAddress: options.bindAddress?.host,
          localPort: options.bindAddress?.port,
        } as tls.ConnectionOptions),
      readyEvent: 'secureConnect',
      addresses: TCP_ADDRESSES,
      destination: tcpAddress(host, port),
    },
    options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    reactor.resources,
  );
  connector.connect();
  return connector;
}
