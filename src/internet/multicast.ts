/**
 * Multicast UDP (Twisted's `MulticastPort`): a UDP port that can join groups and set how its own
 * multicast datagrams go out. The reactor's `listenMulticast` delegates here.
 * @module
 */
import { Deferred } from '../defer/index.js';
import type { IDatagramProtocol, IMulticastTransport } from './interfaces.js';
import { UDPPort, type UDPOptions } from './udp.js';
import { TorsionError } from '../errors/index.js';

/** Options of {@link listenMulticast}. */
export interface MulticastOptions extends UDPOptions {
  /** Lets several sockets (in this or other processes) bind the same port and all hear the groups (`SO_REUSEADDR`). */
  listenMultiple?: boolean;
}

/** Joining or leaving a group failed (no multicast route, unknown interface, not a group address...). */
export class MulticastJoinError extends TorsionError {
  override readonly code = 'TORSION_MULTICAST_JOIN';
  override name = 'MulticastJoinError';
}

/**
 * A UDP port with group membership.
 *
 * @example
 * const port = listenMulticast(reactor, 8005, new Listener(), { listenMultiple: true });
 * port.joinGroup('239.1.2.3').addErrback((f) => console.error(f.getErrorMessage()));
 */
export class MulticastPort extends UDPPort implements IMulticastTransport {
  #ttl = 1;
  #loopback = true;
  #outgoing: string | undefined;

  /** Creates the port unbound: call `startListening` (or use {@link listenMulticast}). */
  constructor(reactor: unknown, port: number, protocol: IDatagramProtocol, options: MulticastOptions = {}) {
    super(reactor, port, protocol, options, { reuseAddr: options.listenMultiple ?? false });
  }

  /** Joins `address` on the interface with IP `iface` (default: the one the kernel picks). */
  joinGroup(address: string, iface?: string): Deferred<void> {
    return this.#asDeferred(() => this.socket.addMembership(address, iface), `join ${address}`);
  }

  /** Leaves a group joined with {@link MulticastPort.joinGroup}. */
  leaveGroup(address: string, iface?: string): Deferred<void> {
    return this.#asDeferred(() => this.socket.dropMembership(address, iface), `leave ${address}`);
  }

  /** How many hops this socket's multicast datagrams may travel (default 1: the local network). */
  setTTL(ttl: number): void {
    this.#ttl = ttl;
    if (this.listening) this.socket.setMulticastTTL(ttl);
  }

  /** The multicast TTL set with `setTTL`. */
  getTTL(): number {
    return this.#ttl;
  }

  /** Whether this host's own listeners hear what this socket sends to a group (default on). */
  setLoopbackMode(enabled: boolean): void {
    this.#loopback = enabled;
    if (this.listening) this.socket.setMulticastLoopback(enabled);
  }

  /** Whether this host hears its own group datagrams. */
  getLoopbackMode(): boolean {
    return this.#loopback;
  }

  /** Sends group datagrams out of the interface with IP `iface`. */
  setOutgoingInterface(iface: string): Deferred<void> {
    return this.#asDeferred(() => {
      this.socket.setMulticastInterface(iface);
      this.#outgoing = iface;
    }, `use interface ${iface}`);
  }

  /** The interface set with `setOutgoingInterface`, if any. */
  getOutgoingInterface(): string | undefined {
    return this.#outgoing;
  }

  protected override onBound(): void {
    super.onBound();
    this.socket.setMulticastTTL(this.#ttl);
    this.socket.setMulticastLoopback(this.#loopback);
  }

  /** Runs a socket option call, as a Deferred so callers written for Twisted (where these return Deferreds) fit. */
  #asDeferred(action: () => void, what: string): Deferred<void> {
    try {
      action();
      return Deferred.succeed<void>(undefined);
    } catch (e) {
      return Deferred.fail(new MulticastJoinError(`cannot ${what}: ${(e as Error).message}`, { cause: e }));
    }
  }
}

/**
 * Binds a multicast-capable UDP port: what `reactor.listenMulticast` runs. Join groups with `joinGroup`.
 */
export function listenMulticast(reactor: unknown, port: number, protocol: IDatagramProtocol, options: MulticastOptions = {}): MulticastPort {
  const p = new MulticastPort(reactor, port, protocol, options);
  p.startListening();
  return p;
}
