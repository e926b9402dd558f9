/**
 * `torsion/internet`: the reactor, transports, endpoints, protocols and factories.
 * @module
 */
export type * from './interfaces.js';
export * from './address.js';
export * from './error.js';
export { Protocol, Factory, ClientFactory, DatagramProtocol, ProcessProtocol, connectionDone } from './protocol.js';
