/**
 * `LimitConnectionsByPeer` (Twisted's `policies.LimitConnectionsByPeer`): at most N connections per peer host.
 * Browser-safe.
 * @module
 */
import type { IAddress, IProtocolFactory } from '../internet/interfaces.js';
import { type ProtocolWrapper, WrappingFactory } from './wrapper.js';

/** The host part of an address: the IP for TCP/UDP, the path for Unix sockets, else the address's text. */
export function peerHost(addr: IAddress): string {
  const a = addr as { host?: unknown; name?: unknown };
  if (typeof a.host === 'string') return a.host;
  if (typeof a.name === 'string') return a.name;
  return String(addr);
}

/**
 * Refuses a connection (`buildProtocol` returns null, so the transport closes it) when its peer host already
 * has `maxConnectionsPerPeer` open: one client cannot take all the slots.
 *
 * @example
 * reactor.listenTCP(6667, new LimitConnectionsByPeer(ircFactory, 3));
 */
export class LimitConnectionsByPeer extends WrappingFactory {
  /** Open connections by peer host. */
  readonly peerConnections = new Map<string, number>();
  readonly #hostOf = new WeakMap<ProtocolWrapper, string>();

  constructor(
    wrappedFactory: IProtocolFactory,
    public maxConnectionsPerPeer = 5,
  ) {
    super(wrappedFactory);
  }

  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const host = peerHost(addr);
    const count = this.peerConnections.get(host) ?? 0;
    if (count >= this.maxConnectionsPerPeer) return null;
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    this.peerConnections.set(host, count + 1);
    this.#hostOf.set(p, host);
    return p;
  }

  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    const host = this.#hostOf.get(p);
    if (host === undefined) return;
    this.#hostOf.delete(p);
    const left = (this.peerConnections.get(host) ?? 1) - 1;
    if (left <= 0) this.peerConnections.delete(host);
    else this.peerConnections.set(host, left);
  }
}
