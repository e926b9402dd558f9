/**
 * Address policies: how a connection's two ends are named, shared per kind of socket.
 * @module
 */
import type { Socket } from 'node:net';
import { IPv4Address, IPv6Address, UNIXAddress } from './address.js';
import type { IAddress } from './interfaces.js';
import type { AddressPolicy } from './transport-context.js';

/** An IP address as Torsion names it: IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) become IPv4. */
export function tcpAddress(host: string | undefined, port: number | undefined): IPv4Address | IPv6Address {
  const h = host ?? '0.0.0.0';
  if (h.startsWith('::ffff:') && h.includes('.')) return new IPv4Address('TCP', h.slice(7), port ?? 0);
  return h.includes(':') ? new IPv6Address('TCP', h, port ?? 0) : new IPv4Address('TCP', h, port ?? 0);
}

/** TCP (and TLS over TCP) connections. */
export const TCP_ADDRESSES: AddressPolicy = {
  host: (s: Socket): IAddress => tcpAddress(s.localAddress, s.localPort),
  peer: (s: Socket): IAddress => tcpAddress(s.remoteAddress, s.remotePort),
};

/**
 * The peer's address of a connection just accepted, for `buildProtocol`, without leaving Node's cache of it
 * on the socket: reading `remoteAddress` keeps an object and a string (about 80 bytes) there for the
 * connection's lifetime, though most protocols never ask again (`getPeer` reads it afresh if they do).
 */
export function acceptedPeer(policy: AddressPolicy, socket: Socket): IAddress {
  const address = policy.peer(socket);
  // Node 20 keeps it in `_peername` and reads the socket again when that is empty.
  const cached = socket as unknown as { _peername?: unknown };
  if (cached._peername !== undefined) cached._peername = undefined;
  return address;
}

/** Unix connections: the server end has the path, the client end is unnamed. */
export function unixAddresses(path: string, isServer: boolean): AddressPolicy {
  const named = new UNIXAddress(path);
  const unnamed = new UNIXAddress(null);
  return isServer ? { host: () => named, peer: () => unnamed } : { host: () => unnamed, peer: () => named };
}
