/**
 * One question sent to one server and its answer: over UDP from a fresh port (so a fresh random source
 * port) per query, or over TCP. A reply is accepted only from the server asked, with the query's id and
 * question (name, type, class); anything else is dropped, so an off-path spoofer must guess all of them.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { ClientFactory, DatagramProtocol, Protocol } from '../../internet/protocol.js';
import type { IConnector, IReactorTCP, IReactorUDP, IListeningPort } from '../../internet/interfaces.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import { DNSFormatError, DNSQueryTimeoutError } from '../errors.js';
import { decodeMessage, encodeMessage, type Message } from '../message.js';
import { frameMessage, MessageStreamDecoder } from '../stream.js';
import { canonicalName } from '../wire.js';
import { normaliseIPv6 } from '../records.js';
import type { Failure } from '../../defer/index.js';

/** The reactor a resolver needs. */
export type ResolverReactor = IReactorTime & IReactorUDP & IReactorTCP;

/** A 16-bit id from the platform's cryptographic generator. */
export function randomId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]!;
}

/** Whether two IP addresses are the same (IPv6 in any spelling). */
export function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  try { return a.includes(':') && b.includes(':') && normaliseIPv6(a) === normaliseIPv6(b); } catch { return false; }
}

/** Whether `reply` answers `query`: same id, a response, the same single question (names compared case-insensitively). */
export function answersQuery(query: Message, reply: Message): boolean {
  if (!reply.answer || reply.id !== query.id || reply.queries.length !== query.queries.length) return false;
  return query.queries.every((q, i) => {
    const r = reply.queries[i]!;
    return r.type === q.type && r.cls === q.cls && canonicalName(r.name) === canonicalName(q.name);
  });
}

function decodeOrNull(data: Uint8Array): Message | null {
  try { return decodeMessage(data); } catch (e) {
    if (e instanceof DNSFormatError) return null;
    throw e;
  }
}

class UDPExchange extends DatagramProtocol {
  constructor(private readonly server: [string, number], private readonly query: Message, private readonly done: (m: Message) => void) {
    super();
  }

  override datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void {
    if (addr.port !== this.server[1] || !sameHost(addr.host, this.server[0])) return;
    const reply = decodeOrNull(data);
    if (reply !== null && answersQuery(this.query, reply)) this.done(reply);
  }
}

/** The address to bind a query's port to: loopback for a loopback server (nothing else can answer), else any. */
function localInterfaceFor(host: string): string {
  if (host.startsWith('127.')) return '127.0.0.1';
  if (host.includes(':')) return sameHost(host, '::1') ? '::1' : '::';
  return '0.0.0.0';
}

/** Sends `query` over UDP from a new port and waits `timeout` seconds for a matching answer. */
export function queryUDP(reactor: ResolverReactor, server: [string, number], query: Message, timeout: number): Deferred<Message> {
  let port: IListeningPort | undefined;
  const d = new Deferred<Message>(() => {
    if (timer.active()) timer.cancel();
    void port?.stopListening();
  });
  const timer = reactor.callLater(timeout, () => {
    void port?.stopListening();
    d.errback(new DNSQueryTimeoutError(`no answer from ${server[0]}:${server[1]} in ${timeout} s`));
  });
  const protocol = new UDPExchange(server, query, (m) => {
    if (timer.active()) timer.cancel();
    void port?.stopListening();
    d.callback(m);
  });
  try {
    const udp = reactor.listenUDP(0, protocol, { interface: localInterfaceFor(server[0]) });
    port = udp;
    udp.write(encodeMessage(query), { host: server[0], port: server[1] });
  } catch (e) {
    if (timer.active()) timer.cancel();
    void port?.stopListening();
    return Deferred.fail<Message>(e);
  }
  return d;
}

class TCPExchange extends Protocol {
  #decoder: MessageStreamDecoder;
  constructor(private readonly query: Message, private readonly done: (m: Message | Error) => void, maxBuffer: number) {
    super();
    this.#decoder = new MessageStreamDecoder(maxBuffer);
  }

  override connectionMade(): void {
    this.transport.write(frameMessage(encodeMessage(this.query)));
  }

  override dataReceived(data: Uint8Array): void {
    let messages: Uint8Array[];
    try { messages = this.#decoder.feed(data); } catch (e) {
      this.done(e as Error);
      this.transport.loseConnection();
      return;
    }
    for (const bytes of messages) {
      const reply = decodeOrNull(bytes);
      if (reply !== null && answersQuery(this.query, reply)) {
        this.done(reply);
        this.transport.loseConnection();
        return;
      }
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.done(new DNSQueryTimeoutError('the TCP connection closed before an answer'));
  }
}

/** Sends `query` over a new TCP connection and waits `timeout` seconds for the answer. */
export function queryTCP(reactor: ResolverReactor, server: [string, number], query: Message, timeout: number, maxBuffer: number): Deferred<Message> {
  let settled = false;
  let timer: IDelayedCall | undefined;
  const d = new Deferred<Message>();
  const settle = (result: Message | Error): void => {
    if (settled) return;
    settled = true;
    if (timer?.active() === true) timer.cancel();
    if (result instanceof Error) d.errback(result);
    else d.callback(result);
  };
  const factory = new (class extends ClientFactory {
    override buildProtocol(): Protocol {
      return new TCPExchange(query, settle, maxBuffer);
    }

    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      settle(reason.value instanceof Error ? reason.value : new DNSQueryTimeoutError(`TCP connection to ${server[0]}:${server[1]} failed`));
    }
  })();
  const connector = reactor.connectTCP(server[0], server[1], factory, { timeout });
  if (!settled) {
    timer = reactor.callLater(timeout, () => {
      connector.disconnect();
      settle(new DNSQueryTimeoutError(`no TCP answer from ${server[0]}:${server[1]} in ${timeout} s`));
    });
  }
  return d;
}
