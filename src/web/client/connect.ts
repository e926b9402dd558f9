/**
 * Opening client connections for the agents: TCP for http, TLS (verified) for https, cancellable.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import type { IConnector, IReactorSSL, IReactorTCP, TLSOptions } from '../../internet/interfaces.js';
import { ClientFactory } from '../../internet/protocol.js';
import { HTTP11ClientProtocol } from './client-protocol.js';
import type { ResponseLimits } from './limits.js';

/** What the agents need of a reactor. */
export type ConnectReactor = IReactorTCP & IReactorSSL;

/** How to connect. */
export interface HTTPConnectOptions {
  /** Seconds to wait for the connection (and the TLS handshake). */
  timeout?: number;
  /** TLS options for https (`ca`, `servername`, ...); the server is verified unless `dangerouslyDisableVerification`. */
  tlsOptions?: TLSOptions;
  limits?: ResponseLimits;
}

/** A factory that hands its one protocol to a Deferred once connected (or the failure). */
export class OneShotFactory<P extends HTTP11ClientProtocol> extends ClientFactory<P> {
  cancelled = false;

  constructor(readonly deferred: Deferred<HTTP11ClientProtocol>, readonly make: (onConnected: (p: HTTP11ClientProtocol) => void) => P) {
    super();
  }

  override buildProtocol(): P {
    return this.make((p) => {
      if (!this.deferred.called) this.deferred.callback(p);
    });
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.cancelled && !this.deferred.called) this.deferred.errback(reason);
  }
}

/** Connects to `host:port` (TLS for https); cancelling the Deferred stops the attempt. */
export function connectHTTP(reactor: ConnectReactor, scheme: 'http' | 'https', host: string, port: number, options: HTTPConnectOptions = {}): Deferred<HTTP11ClientProtocol> {
  let connector: IConnector | null = null;
  let factory: OneShotFactory<HTTP11ClientProtocol> | null = null;
  const d = new Deferred<HTTP11ClientProtocol>(() => {
    factory!.cancelled = true;
    connector?.disconnect();
  });
  factory = new OneShotFactory(d, (onConnected) => new HTTP11ClientProtocol(onConnected, options.limits));
  const connectOptions = options.timeout === undefined ? {} : { timeout: options.timeout };
  try {
    connector = scheme === 'https' ? reactor.connectSSL(host, port, factory, options.tlsOptions ?? {}, connectOptions) : reactor.connectTCP(host, port, factory, connectOptions);
  } catch (e) {
    if (!d.called) d.errback(e);
  }
  return d;
}
