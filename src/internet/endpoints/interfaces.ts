/**
 * Endpoint roles (Twisted's `IStreamServerEndpoint`, `IStreamClientEndpoint`). Type-only.
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import type { IListeningPort, IProtocol, IProtocolFactory } from '../interfaces.js';

/** Something to listen on: `listen(factory)` fires with the port once it listens. */
export interface IStreamServerEndpoint {
  listen(factory: IProtocolFactory): Deferred<IListeningPort>;
}

/** Something to connect to: `connect(factory)` fires with the protocol once `connectionMade` has run. */
export interface IStreamClientEndpoint {
  connect(factory: IProtocolFactory): Deferred<IProtocol>;
}
