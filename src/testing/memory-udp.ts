/**
 * The fake datagram ports `MemoryReactor.listenUDP` and `listenMulticast` hand out: they record what the
 * protocol sends and let a test deliver datagrams to it.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { ipAddress } from '../internet/address.js';
import type { Data, IAddress, IDatagramProtocol, IMulticastTransport } from '../internet/interfaces.js';
import { toBytes } from './bytes.js';

/** A datagram the protocol sent: the bytes and where to. */
export interface SentDatagram {
  data: Buffer;
  addr: { host: string; port: number };
}

/**
 * A UDP (and multicast) port in memory. What the protocol writes lands in `written`; `deliver(data, addr)`
 * hands it a datagram as if one arrived. Multicast calls are recorded (`groups`, `ttl`, `loopback`,
 * `outgoingInterface`).
 */
export class MemoryDatagramPort implements IMulticastTransport {
  /** Every datagram written, in order. */
  readonly written: SentDatagram[] = [];
  /** False once `stopListening` was called. */
  listening = true;
  /** The peer of a connected UDP port (`connect`), or null. */
  connectedTo: { host: string; port: number } | null = null;
  broadcastAllowed = false;
  /** Multicast groups joined, as `address` or `address%iface`. */
  readonly groups = new Set<string>();
  ttl = 1;
  loopback = true;
  outgoingInterface: string | null = null;
  readonly #host: IAddress;

  constructor(
    readonly protocol: IDatagramProtocol,
    host: string,
    port: number,
  ) {
    this.#host = ipAddress('UDP', host, port);
    protocol.makeConnection(this);
  }

  /** Records a datagram; without `addr` it goes to the connected peer (an error if there is none, as on a socket). */
  write(data: Data, addr?: { host: string; port: number }): void {
    const to = addr ?? this.connectedTo;
    if (!to) throw new Error('write: no address given and the port is not connected');
    if (this.connectedTo && addr && (addr.host !== this.connectedTo.host || addr.port !== this.connectedTo.port)) {
      throw new Error(`write: a connected port only sends to ${this.connectedTo.host}:${this.connectedTo.port}`);
    }
    this.written.push({ data: toBytes(data), addr: { host: to.host, port: to.port } });
  }

  connect(host: string, port: number): void {
    this.connectedTo = { host, port };
  }

  getHost(): IAddress {
    return this.#host;
  }

  /** Stops listening: the protocol's `doStop` (so `stopProtocol`) runs once; the Deferred has already fired. */
  stopListening(): Deferred<void> {
    if (this.listening) {
      this.listening = false;
      (this.protocol as { doStop?: () => void }).doStop?.();
    }
    return Deferred.succeed<void>(undefined);
  }

  setBroadcastAllowed(enabled: boolean): void {
    this.broadcastAllowed = enabled;
  }

  joinGroup(address: string, iface?: string): Deferred<void> {
    this.groups.add(iface ? `${address}%${iface}` : address);
    return Deferred.succeed<void>(undefined);
  }

  leaveGroup(address: string, iface?: string): Deferred<void> {
    this.groups.delete(iface ? `${address}%${iface}` : address);
    return Deferred.succeed<void>(undefined);
  }

  setTTL(ttl: number): void {
    this.ttl = ttl;
  }

  setLoopbackMode(enabled: boolean): void {
    this.loopback = enabled;
  }

  setOutgoingInterface(iface: string): Deferred<void> {
    this.outgoingInterface = iface;
    return Deferred.succeed<void>(undefined);
  }

  /**
   * Test control: a datagram arrives from `addr`. A connected port ignores datagrams from anyone but its
   * peer, as the kernel does.
   */
  deliver(data: Data, addr: { host: string; port: number }): void {
    if (!this.listening) throw new Error('deliver: the port is no longer listening');
    if (this.connectedTo && (addr.host !== this.connectedTo.host || addr.port !== this.connectedTo.port)) return;
    this.protocol.datagramReceived(toBytes(data), addr);
  }

  /** Test control: the connected peer's port is unreachable (an ICMP error came back). */
  refuse(): void {
    this.protocol.connectionRefused();
  }
}
