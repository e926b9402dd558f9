/**
 * What the connections of one port (or one connector) share: how their ends are named, the reactor's registry
 * of open things, and who is told when a connection ends. One object per port, so no per-connection fields.
 * @module
 */
import type { Socket } from 'node:net';
import type { Failure } from '../defer/index.js';
import type { IAddress } from './interfaces.js';
import type { ReactorResources } from './reactor-resources.js';
import type { SocketTransport } from './socket-transport.js';

/** How a transport names its ends (shared by every connection of a port, so no per-connection closures). */
export interface AddressPolicy {
  host(socket: Socket): IAddress;
  peer(socket: Socket): IAddress;
}

/** Who is told when the connection ends (a connector tells its client factory). */
export interface TransportOwner {
  connectionEnded(transport: SocketTransport, reason: Failure): void;
}

/** What the connections of one port (or one connector) share: naming, the reactor's registry, the owner. */
export interface TransportContext {
  readonly addresses: AddressPolicy;
  /** The reactor's set of open things (closed at shutdown), if any. */
  readonly resources?: ReactorResources;
  /** Told when the connection ends (the connector), if any. */
  readonly owner?: TransportOwner;
}
