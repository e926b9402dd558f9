/**
 * Zone transfer in (AXFR, RFC 5936) over one TCP connection: the query, then messages of records until the
 * zone's SOA comes round a second time. Each message must answer the query (same id and question, NOERROR);
 * the records are bounded in number, and the transfer in time.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { ClientFactory, Protocol } from '../../internet/protocol.js';
import type { IConnector } from '../../internet/interfaces.js';
import type { IDelayedCall } from '../../time/interfaces.js';
import { AXFR, IN, OK, SOA } from '../constants.js';
import { DNSTransferError } from '../errors.js';
import { decodeMessage, encodeMessage, makeQuery, type Message, type RRHeader } from '../message.js';
import { frameMessage, MessageStreamDecoder } from '../stream.js';
import { canonicalName } from '../wire.js';
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

class TransferProtocol extends Protocol {
  readonly #decoder: MessageStreamDecoder;
  readonly #records: RRHeader[] = [];

  constructor(private readonly query: Message, private readonly origin: string, private readonly limits: TransferLimits,
    private readonly done: (result: RRHeader[] | Error) => void) {
    super();
    this.#decoder = new MessageStreamDecoder(limits.maxBuffer);
  }

  override connectionMade(): void {
    this.transport.write(frameMessage(encodeMessage(this.query)));
  }

  override dataReceived(data: Uint8Array): void {
    try {
      for (const bytes of this.#decoder.feed(data)) {
        if (this.#take(decodeMessage(bytes))) {
          this.done(this.#records);
          this.transport.loseConnection();
          return;
        }
      }
    } catch (e) {
      this.done(e instanceof DNSTransferError ? e : new DNSTransferError(`AXFR of ${this.origin}: ${(e as Error).message}`, { cause: e }));
      this.transport.loseConnection();
    }
  }

  /** Adds one message's records; true once the closing SOA arrived. */
  #take(m: Message): boolean {
    const first = this.#records.length === 0;
    // Only the first message must repeat the question (RFC 5936 §2.2.1); every one carries the id.
    if (m.id !== this.query.id || !m.answer || (first && !answersQuery(this.query, m))) throw new DNSTransferError(`AXFR of ${this.origin}: a reply that does not answer the query`);
    if (m.rCode !== OK) throw new DNSTransferError(`AXFR of ${this.origin} refused (rcode ${m.rCode})`);
    for (const rr of m.answers) {
      const isSOA = rr.type === SOA && canonicalName(rr.name) === this.origin;
      if (this.#records.length === 0 && !isSOA) throw new DNSTransferError(`AXFR of ${this.origin} does not start with its SOA`);
      if (this.#records.length > 0 && isSOA) return true;
      if (this.#records.length >= this.limits.maxRecords) throw new DNSTransferError(`AXFR of ${this.origin} has over ${this.limits.maxRecords} records`);
      this.#records.push(rr);
    }
    return false;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.done(new DNSTransferError(`AXFR of ${this.origin}: the connection closed before the closing SOA`));
  }
}

/**
 * Transfers zone `origin` from `server`: resolves to its records, the SOA first (the closing SOA left out).
 * Fails with a `DNSTransferError`: refused, malformed, too many records, closed early, or too slow.
 */
export function transferZone(reactor: ResolverReactor, server: [string, number], origin: string, limits: TransferLimits): Deferred<RRHeader[]> {
  const zone = canonicalName(origin);
  const query = makeQuery(randomId(), zone, AXFR, IN);
  query.recDes = false;
  let settled = false;
  let timer: IDelayedCall | undefined;
  const d = new Deferred<RRHeader[]>();
  const settle = (result: RRHeader[] | Error): void => {
    if (settled) return;
    settled = true;
    if (timer?.active() === true) timer.cancel();
    if (result instanceof Error) d.errback(result);
    else d.callback(result);
  };
  const factory = new (class extends ClientFactory {
    override buildProtocol(): Protocol {
      return new TransferProtocol(query, zone, limits, settle);
    }

    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      settle(new DNSTransferError(`AXFR of ${zone}: cannot connect to ${server[0]}:${server[1]}`, { cause: reason.value }));
    }
  })();
  const connector = reactor.connectTCP(server[0], server[1], factory, { timeout: limits.timeout });
  if (!settled) {
    timer = reactor.callLater(limits.timeout, () => {
      connector.disconnect();
      settle(new DNSTransferError(`AXFR of ${zone} from ${server[0]}:${server[1]} took over ${limits.timeout} s`));
    });
  }
  return d;
}
