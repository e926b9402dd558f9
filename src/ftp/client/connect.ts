/**
 * Connecting an `FTPClient`: a client factory and `connectFTP`, which fires once the server greeted.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { ClientFactory } from '../../internet/index.js';
import type { IConnector, IReactorSSL, IReactorTCP, IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import { FTPClient } from './client.js';
import type { FTPClientOptions } from './control.js';

/** Builds one {@link FTPClient}; `client` fires once it was greeted. */
export class FTPClientFactory extends ClientFactory<FTPClient> {
  readonly client = new Deferred<FTPClient>();

  constructor(readonly clientOptions: FTPClientOptions & { reactor: IReactorTCP & IReactorTime }) {
    super();
  }

  override buildProtocol(): FTPClient {
    const c = new FTPClient(this.clientOptions);
    c.greeting.addCallbacks(
      () => {
        if (!this.client.called) this.client.callback(c);
      },
      (f: Failure) => {
        if (!this.client.called) this.client.errback(f);
      },
    );
    return c;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.client.called) this.client.errback(reason);
  }
}

/**
 * Connects to an FTP server and waits for its greeting. With `tls` (Node's TLS client options) the
 * connection is TLS from the start (implicit FTPS, port 990) and data connections are protected too.
 *
 * @example
 * const ftp = await connectFTP(reactor, '127.0.0.1', 21);
 * await ftp.login('anonymous', 'guest@');
 */
export function connectFTP(reactor: IReactorTCP & IReactorSSL & IReactorTime, host: string, port = 21, options: Omit<FTPClientOptions, 'reactor'> & { tls?: TLSOptions } = {}): Deferred<FTPClient> {
  const { tls, ...clientOptions } = options;
  const factory = new FTPClientFactory({ ...clientOptions, reactor });
  if (tls === undefined) reactor.connectTCP(host, port, factory);
  else reactor.connectSSL(host, port, factory, tls);
  if (tls === undefined) return factory.client;
  return factory.client.addCallback((client) => client.protectData(tls).addCallback(() => client));
}

