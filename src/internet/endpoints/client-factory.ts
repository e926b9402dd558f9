/**
 * The client factory an endpoint connects with: it builds the user's protocol and turns the connector's
 * callbacks into one Deferred (Twisted's `endpoints._WrappingFactory`, without wrapping the protocol).
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { ConnectError } from '../error.js';
import type { IAddress, IClientFactory, IConnector, IProtocol, IProtocolFactory } from '../interfaces.js';

/** Fires `deferred` with the protocol once connected, or with the failure. */
export class EndpointClientFactory implements IClientFactory {
  readonly deferred: Deferred<IProtocol>;
  connector: IConnector | undefined;

  constructor(readonly wrapped: IProtocolFactory) {
    this.deferred = new Deferred<IProtocol>(() => {
      const c = this.connector as (IConnector & { state?: string }) | undefined;
      if (c?.state === 'connecting') c.stopConnecting();
    });
  }

  doStart(): void {
    this.wrapped.doStart();
  }

  doStop(): void {
    this.wrapped.doStop();
  }

  buildProtocol(addr: IAddress): IProtocol | null {
    return this.wrapped.buildProtocol(addr);
  }

  startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  /** Called by the connector once `connectionMade` has run. */
  connectionEstablished(protocol: IProtocol): void {
    if (!this.deferred.called) this.deferred.callback(protocol);
  }

  clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.deferred.called) this.deferred.errback(reason);
  }

  clientConnectionLost(_connector: IConnector, reason: Failure): void {
    if (!this.deferred.called) this.deferred.errback(new Failure(new ConnectError(`connection lost during connectionMade: ${reason.getErrorMessage()}`)));
  }
}
