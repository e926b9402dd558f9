/**
 * SOCKS5 `UDP ASSOCIATE` (RFC 1928 §7): one UDP port per association, relaying the client's datagrams to
 * the destinations they name (checked against the access rules) and the answers back. Only the client's
 * address may send through it, and only destinations the client has written to may answer: the port is
 * not an open UDP relay. Fragments are dropped, as the RFC allows.
 * @module
 */
import { DatagramProtocol } from '../internet/protocol.js';
import type { AccessPolicy } from './access.js';
import { parseIP } from './access.js';
import { encodeUDPDatagram, parseUDPDatagram } from './codec.js';
import type { SOCKSResolver } from './interfaces.js';

type Addr = { host: string; port: number };
const key = (a: Addr) => `${a.host}|${a.port}`;

/** The datagram side of one association; it lives as long as its TCP control connection. */
export class UDPAssociation extends DatagramProtocol {
  #client: Addr | null = null;
  readonly #contacted = new Set<string>();

  /**
   * @param clientHost the TCP client's address: the only one allowed to send through
   * @param clientPort the port the client said it would send from, or 0 for any
   * @param maxDestinations how many destinations one association may talk to
   */
  constructor(
    readonly clientHost: string,
    readonly clientPort: number,
    readonly policy: AccessPolicy,
    readonly resolver: SOCKSResolver | undefined,
    readonly maxDestinations: number,
    readonly onActivity: () => void,
  ) {
    super();
  }

  override datagramReceived(data: Uint8Array, addr: Addr): void {
    if (addr.host === this.clientHost && (this.clientPort === 0 || addr.port === this.clientPort) && (this.#client === null || key(this.#client) === key(addr))) {
      this.#fromClient(data, addr);
    } else if (this.#client !== null && this.#contacted.has(key(addr))) {
      this.onActivity();
      this.transport?.write(encodeUDPDatagram(addr.host, addr.port, data), this.#client);
    }
  }

  #fromClient(data: Uint8Array, addr: Addr): void {
    let datagram: ReturnType<typeof parseUDPDatagram>;
    try {
      datagram = parseUDPDatagram(data);
    } catch {
      return;
    }
    if (datagram.fragment !== 0) return;
    this.#client = addr;
    this.onActivity();
    const send = (host: string): void => {
      if (!this.policy.allows(host)) return;
      const to = { host, port: datagram.port };
      if (!this.#contacted.has(key(to))) {
        if (this.#contacted.size >= this.maxDestinations) return;
        this.#contacted.add(key(to));
      }
      try {
        this.transport?.write(datagram.data, to);
      } catch {
        // An address the socket cannot reach (IPv6 on an IPv4 socket): the datagram is dropped, as UDP may.
      }
    };
    if (parseIP(datagram.host) !== undefined) return send(datagram.host);
    if (this.resolver === undefined) return;
    this.resolver(datagram.host).then(
      (addresses) => {
        const allowed = addresses.map((a) => a.address).find((a) => this.policy.allows(a) && parseIP(a)?.family === 4);
        if (allowed !== undefined) send(allowed);
      },
      () => undefined,
    );
  }
}
