/**
 * An in-memory network for FTP tests: one `MemoryReactor` both ends use, with each connection attempt
 * joined to the port listening on its number, and every loopback pumped until nothing moves.
 */
import { IPv4Address, ipAddress } from '../../internet/address.js';
import type { IProtocol, IProtocolFactory } from '../../internet/interfaces.js';
import { MemoryReactor, type IOPump, type TCPClientRecord } from '../../testing/index.js';

export class MemoryNet {
  readonly reactor = new MemoryReactor();
  readonly pumps: IOPump[] = [];
  /** Each connection's ends, by the order they were made. */
  readonly connections: Array<{ server: IProtocol; client: IProtocol }> = [];
  #handled = new Set<TCPClientRecord>();
  #nextPort = 40000;

  constructor(
    /** The address every client connects from. */
    readonly clientHost = '127.0.0.1',
    /** The address every server listens on. */
    readonly serverHost = '127.0.0.1',
    /** Deliver at most this many bytes per `dataReceived` on every connection (framing tests). */
    readonly chunkSize?: number,
  ) {}

  /** Joins waiting attempts to their ports and pumps until quiet. */
  flush(): void {
    for (let turn = 0; turn < 10_000; turn++) {
      let moved = false;
      for (const rec of this.reactor.tcpClients) {
        if (this.#handled.has(rec) || rec.connector.state !== 'connecting') continue;
        this.#handled.add(rec);
        moved = true;
        const server = this.reactor.tcpServers.find((s) => s.listeningPort.listening && (s.listeningPort.getHost() as IPv4Address).port === rec.port);
        if (server === undefined) {
          rec.connector.fail();
          continue;
        }
        const factory: IProtocolFactory = server.listeningPort.factory;
        const probe = factory.buildProtocol(new IPv4Address('TCP', this.clientHost, this.#nextPort));
        if (probe === null) {
          rec.connector.fail();
          continue;
        }
        const c = rec.connector.connectTo(probe, { serverAddress: ipAddress('TCP', this.serverHost, rec.port), clientAddress: ipAddress('TCP', this.clientHost, this.#nextPort++), ...(this.chunkSize ? { chunkSize: this.chunkSize } : {}) });
        this.pumps.push(c.pump);
        this.connections.push({ server: c.server, client: c.client });
      }
      for (const p of this.pumps) if (p.pump()) moved = true;
      if (!moved) return;
    }
    throw new Error('MemoryNet: still moving after 10000 turns');
  }

  /** Moves the clock, then flushes. */
  advance(seconds: number): void {
    this.reactor.advance(seconds);
    this.flush();
  }
}
