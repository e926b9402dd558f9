/**
 * HTTPS through an HTTP proxy: `CONNECT host:port`, then TLS (verified against the target host) inside the
 * tunnel through the TLS wrapper of `torsion/internet`, then an ordinary client connection in it.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { ConnectError } from '../../internet/error.js';
import type { IConnector, IStreamTransport, TLSOptions } from '../../internet/interfaces.js';
import { ClientFactory, Protocol } from '../../internet/protocol.js';
import { wrapTLS, type TLSWrapperProtocol } from '../../internet/tls-wrapper.js';
import { ResponseParser } from '../response-parser.js';
import { HTTP11ClientProtocol } from './client-protocol.js';
import type { ConnectReactor, HTTPConnectOptions } from './connect.js';
import { TunnelError } from './errors.js';
import { isIPAddress as isIP } from '../../internet/address.js';

/** The proxy to tunnel through. */
export interface ProxyAddress {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** The `Proxy-Authorization` value, if any. */
  readonly authorization: string | null;
}

/** Options for the tunnel: the target's TLS options, and those of an https proxy itself. */
export interface TunnelOptions extends HTTPConnectOptions {
  proxyTLSOptions?: TLSOptions;
}

/** The proxy's side of the tunnel: speaks CONNECT, then carries TLS records for the wrapped client. */
class TunnelProtocol extends Protocol<IStreamTransport> {
  #parser: ResponseParser;
  #tls: TLSWrapperProtocol | null = null;
  #refused = false;

  constructor(readonly deferred: Deferred<HTTP11ClientProtocol>, readonly proxy: ProxyAddress, readonly authority: string, readonly targetHost: string, readonly options: TunnelOptions) {
    super();
    this.#parser = new ResponseParser({ head: (code, phrase) => this.#answered(code, phrase), data: () => {}, done: () => {} }, true, options.limits);
  }

  override connectionMade(): void {
    const auth = this.proxy.authorization === null ? '' : `Proxy-Authorization: ${this.proxy.authorization}\r\n`;
    this.transport.write(`CONNECT ${this.authority} HTTP/1.1\r\nHost: ${this.authority}\r\n${auth}\r\n`);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#tls !== null) return this.#tls.dataReceived(data);
    if (this.#refused) return;
    let leftover: number;
    try {
      leftover = this.#parser.feed(data);
    } catch (e) {
      this.#refuse(new Failure(e));
      return;
    }
    // The head callback may have opened the tunnel meanwhile.
    const tls = this.#tls as TLSWrapperProtocol | null;
    if (tls !== null && leftover > 0) tls.dataReceived(data.subarray(data.byteLength - leftover));
  }

  #answered(code: number, phrase: string): void {
    if (code < 200 || code > 299) {
      this.#refuse(new Failure(new TunnelError(code, `the proxy refused to CONNECT to ${this.authority}: ${code} ${phrase}`)));
      return;
    }
    const inner = new HTTP11ClientProtocol((p) => {
      if (!this.deferred.called) this.deferred.callback(p);
    }, this.options.limits);
    const host = this.targetHost;
    this.#tls = wrapTLS(inner, { ...this.options.tlsOptions, ...(isIP(host) ? {} : { servername: host }), host }, true);
    this.#tls.makeConnection(this.transport);
  }

  #refuse(reason: Failure): void {
    this.#refused = true;
    if (!this.deferred.called) this.deferred.errback(reason);
    this.transport.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#tls?.connectionLost(reason);
    if (!this.deferred.called) {
      // The TLS wrapper knows why its handshake failed (verification, host name); the outer connection only closed.
      const tlsError = this.#tls?.handshakeError;
      const why =
        this.#tls === null
          ? 'the proxy closed the connection before answering CONNECT'
          : `the TLS handshake with ${this.authority} through the proxy failed${tlsError === undefined ? '' : `: ${tlsError.message}`}`;
      this.deferred.errback(new ConnectError(why, { cause: tlsError ?? reason.value }));
    }
  }
}

class TunnelFactory extends ClientFactory<TunnelProtocol> {
  cancelled = false;

  constructor(readonly make: () => TunnelProtocol, readonly deferred: Deferred<HTTP11ClientProtocol>) {
    super();
  }

  override buildProtocol(): TunnelProtocol {
    return this.make();
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.cancelled && !this.deferred.called) this.deferred.errback(reason);
  }
}

/** Opens a TLS connection to `host:port` through `proxy`; fires once the TLS handshake is done. */
export function connectTunnel(reactor: ConnectReactor, proxy: ProxyAddress, host: string, port: number, options: TunnelOptions = {}): Deferred<HTTP11ClientProtocol> {
  let connector: IConnector | null = null;
  let factory: TunnelFactory | null = null;
  const d = new Deferred<HTTP11ClientProtocol>(() => {
    factory!.cancelled = true;
    connector?.disconnect();
  });
  const authority = isIP(host) && host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  factory = new TunnelFactory(() => new TunnelProtocol(d, proxy, authority, host, options), d);
  const connectOptions = options.timeout === undefined ? {} : { timeout: options.timeout };
  try {
    connector =
      proxy.scheme === 'https'
        ? reactor.connectSSL(proxy.host, proxy.port, factory, options.proxyTLSOptions ?? {}, connectOptions)
        : reactor.connectTCP(proxy.host, proxy.port, factory, connectOptions);
  } catch (e) {
    if (!d.called) d.errback(e);
  }
  return d;
}
