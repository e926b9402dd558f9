/**
 * Zone transfer in over one TCP connection, AXFR (RFC 5936) or IXFR (RFC 1995): the query, then messages
 * of records until the reader (`transfer-readers.ts`) has the whole transfer. Each message must answer the
 * query (same id and question, NOERROR); the records are bounded in number, and the transfer in time.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { ClientFactory, Protocol } from '../../internet/protocol.js';
import type { IConnector } from '../../internet/interfaces.js';
import type { IDelayedCall } from '../../time/interfaces.js';
import { AXFR, IN, IXFR, OK } from '../constants.js';
import { DNSTransferError, DNSTransferRefusedError } from '../errors.js';
import { decodeMessage, encodeMessage, makeQuery, type Message, type RRHeader } from '../message.js';
import { frameMessage, MessageStreamDecoder } from '../stream.js';
import { canonicalName } from '../wire.js';
import { serialOf } from '../server/zone-versions.js';
import { AXFRReader, IXFRReader, type IncrementalResult, type TransferReader } from './transfer-readers.js';
import { answersQuery, randomId, type ResolverReactor } from './exchange.js';

/** Limits of one transfer in. */
export interface TransferLimits {
  /** Seconds the whole transfer may take. */
  timeout: number;
  /** The most records accepted (beyond: the transfer fails). */
  maxRecords: number;
  /** The most bytes buffered for one incomplete message. */
  maxBuffer: number;
}

class TransferProtocol<T> extends Protocol {
  readonly #decoder: MessageStreamDecoder;
  #first = true;

  constructor(private readonly query: Message, private readonly what: string, private readonly reader: TransferReader<T>, maxBuffer: number,
    private readonly done: (result: T | Error) => void) {
    super();
    this.#decoder = new MessageStreamDecoder(maxBuffer);
  }

  override connectionMade(): void {
    this.transport.write(frameMessage(encodeMessage(this.query)));
  }

  override dataReceived(data: Uint8Array): void {
    try {
      for (const bytes of this.#decoder.feed(data)) {
        if (this.#take(decodeMessage(bytes))) {
          this.done(this.reader.result());
          this.transport.loseConnection();
          return;
        }
      }
    } catch (e) {
      this.done(e instanceof DNSTransferError ? e : new DNSTransferError(`${this.what}: ${(e as Error).message}`, { cause: e }));
      this.transport.loseConnection();
    }
  }

  /** Reads one message's records; true once the transfer is complete. */
  #take(m: Message): boolean {
    // Only the first message must repeat the question (RFC 5936 §2.2.1); every one carries the id.
    if (m.id !== this.query.id || !m.answer || (this.#first && !answersQuery(this.query, m))) throw new DNSTransferError(`${this.what}: a reply that does not answer the query`);
    if (m.rCode !== OK) throw new DNSTransferRefusedError(`${this.what} refused (rcode ${m.rCode})`, m.rCode);
    this.#first = false;
    for (const rr of m.answers) if (this.reader.push(rr)) return true;
    return false;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.done(new DNSTransferError(`${this.what}: the connection closed before the transfer was complete`));
  }
}

/**
 * Transfers zone `origin` from `server` (AXFR): resolves to its records, the SOA first (the closing SOA
 * left out). Fails with a `DNSTransferError`: refused, malformed, too many records, closed early, or too slow.
 */
export function transferZone(reactor: ResolverReactor, server: [string, number], origin: string, limits: TransferLimits): Deferred<RRHeader[]> {
  const zone = canonicalName(origin);
  return runTransfer(reactor, server, makeQuery(randomId(), zone, AXFR, IN), `AXFR of ${zone}`, new AXFRReader(zone, limits.maxRecords), limits);
}

/**
 * Asks `server` for the changes to zone `origin` since the version `held` (its SOA) is at (IXFR over TCP).
 * The server may answer with the differences, with the whole zone, or with its SOA alone (nothing new).
 * A refusal fails with `DNSTransferRefusedError` (with the rcode), so the caller can fall back to AXFR.
 */
export function transferIncremental(reactor: ResolverReactor, server: [string, number], origin: string, held: RRHeader,
  limits: TransferLimits): Deferred<IncrementalResult> {
  const zone = canonicalName(origin);
  const query = makeQuery(randomId(), zone, IXFR, IN);
  query.authority = [held];
  return runTransfer(reactor, server, query, `IXFR of ${zone}`, new IXFRReader(zone, serialOf(held), limits.maxRecords), limits);
}

function runTransfer<T>(reactor: ResolverReactor, server: [string, number], query: Message, what: string, reader: TransferReader<T>,
  limits: TransferLimits): Deferred<T> {
  query.recDes = false;
  let settled = false;
  let timer: IDelayedCall | undefined;
  const d = new Deferred<T>();
  const settle = (result: T | Error): void => {
    if (settled) return;
    settled = true;
    if (timer?.active() === true) timer.cancel();
    if (result instanceof Error) d.errback(result);
    else d.callback(result);
  };
  const factory = new (class extends ClientFactory {
    override buildProtocol(): Protocol {
      return new TransferProtocol(query, what, reader, limits.maxBuffer, settle);
    }

    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      settle(new DNSTransferError(`${what}: cannot connect to ${server[0]}:${server[1]}`, { cause: reason.value }));
    }
  })();
  const connector = reactor.connectTCP(server[0], server[1], factory, { timeout: limits.timeout });
  if (!settled) {
    timer = reactor.callLater(limits.timeout, () => {
      connector.disconnect();
      settle(new DNSTransferError(`${what} from ${server[0]}:${server[1]} took over ${limits.timeout} s`));
    });
  }
  return d;
}
