/**
 * The server's answering logic, sans-I/O: bytes of a query in, bytes of the replies out. Authoritative
 * zones first; a forwarding resolver for the rest when one is given; REFUSED otherwise. Malformed queries
 * get FORMERR when their header can be read and nothing otherwise; responses are never answered.
 * @module
 */
import { ALL_RECORDS, AXFR, BADVERS, IXFR, EFORMAT, ENOTAUTH, ENOTIMP, EREFUSED, ESERVER, OK, OP_NOTIFY, OP_QUERY, SOA } from '../constants.js';
import { DNSResponseError } from '../errors.js';
import { DNS_LIMITS, type DNSLimits } from '../limits.js';
import { decodeMessage, encodeMessage, makeMessage, type Message, type Query, type RRHeader } from '../message.js';
import type { IReactorTime } from '../../time/interfaces.js';
import { AnswerCache } from './answer-cache.js';
import { inZone, type Authority, type FileAuthority } from './authority.js';
import { serialOf } from './zone-versions.js';

/** How a query arrived: UDP answers are size-limited and may not carry ANY or AXFR. */
export type QueryTransport = 'udp' | 'tcp';

/** A resolver the server forwards to with `--recursive` (the client `Resolver` fits). */
export interface ForwardingResolver {
  query(name: string, type: number, cls?: number): PromiseLike<[RRHeader[], RRHeader[], RRHeader[]]>;
}

/** The HINFO record type, used for the RFC 8482 answer to ANY. */
const HINFO = 13;
/** The RFC 8482 §4.2 HINFO payload: CPU "RFC8482", OS "". */
const RFC8482_HINFO = Uint8Array.of(7, ...new TextEncoder().encode('RFC8482'), 0);

/** Answers DNS queries from zones and an optional forwarder. */
export class QueryHandler {
  readonly #limits: DNSLimits;
  readonly #cache: AnswerCache | undefined;

  /**
   * With a `clock`, authoritative replies are cached as encoded bytes (see {@link AnswerCache}); call
   * {@link QueryHandler.zonesChanged} whenever an authority's records change.
   */
  constructor(readonly authorities: readonly Authority[], readonly forwarder: ForwardingResolver | null = null, limits: Partial<DNSLimits> = {},
    clock?: IReactorTime) {
    this.#limits = { ...DNS_LIMITS, ...limits };
    const l = this.#limits;
    if (clock !== undefined) this.#cache = new AnswerCache(clock, l.serverAnswerCacheEntries, l.serverAnswerCacheSeconds, l.serverAnswerCacheQueryBytes);
  }

  /** Replies held by the answer cache. */
  get cachedReplies(): number {
    return this.#cache?.size ?? 0;
  }

  /** Drops every cached reply: a zone was loaded, transferred or replaced. */
  zonesChanged(): void {
    this.#cache?.clear();
  }

  /**
   * The replies to one query message (several for AXFR; none for garbage or a response). `from` is the
   * sender's address, which a NOTIFY must come from (the zone's primary).
   */
  handle(bytes: Uint8Array, via: QueryTransport, from?: string): Uint8Array[] | Promise<Uint8Array[]> {
    const cache = this.#cache;
    const slot = cache === undefined ? -1 : cache.slot(bytes, via);
    if (slot >= 0) {
      const hit = cache!.get(slot, bytes, via);
      if (hit !== undefined) return [hit];
    }
    this.#cacheable = undefined;
    const replies = this.#answer(bytes, via, from);
    if (slot >= 0 && Array.isArray(replies) && replies.length === 1 && this.#cacheable !== undefined) {
      cache!.set(slot, bytes, via, replies[0]!, this.#cacheable);
    }
    return replies;
  }

  /** Set by #answer to the lifetime of its reply when that reply came from a zone and may be reused. */
  #cacheable: number | undefined;

  #answer(bytes: Uint8Array, via: QueryTransport, from: string | undefined): Uint8Array[] | Promise<Uint8Array[]> {
    let query: Message;
    try {
      query = decodeMessage(bytes);
    } catch {
      if (bytes.length < 12 || (bytes[2]! & 0x80) !== 0) return [];
      return [encodeMessage(makeMessage({ id: (bytes[0]! << 8) | bytes[1]!, answer: true, opCode: (bytes[2]! >> 3) & 0xf, rCode: EFORMAT }))];
    }
    if (query.answer) return [];
    const reply = makeMessage({ id: query.id, answer: true, opCode: query.opCode, recDes: query.recDes, recAv: this.forwarder !== null, queries: query.queries });
    if (query.edns !== undefined) reply.edns = { udpPayloadSize: this.#limits.ednsUDPBytes, version: 0, dnssecOk: query.edns.dnssecOk, options: [] };
    const maxSize = via === 'tcp' ? this.#limits.maxMessageBytes
      : query.edns !== undefined ? Math.max(this.#limits.classicUDPBytes, Math.min(query.edns.udpPayloadSize, this.#limits.ednsUDPBytes)) : this.#limits.classicUDPBytes;
    const send = (): Uint8Array[] => [encodeMessage(reply, { maxSize })];
    if (query.edns !== undefined && query.edns.version > 0) return (reply.rCode = BADVERS, reply.queries = [], send());
    if (query.opCode === OP_NOTIFY) return (reply.rCode = this.#notify(query, from), reply.auth = true, send());
    if (query.opCode !== OP_QUERY) return (reply.rCode = ENOTIMP, send());
    if (query.queries.length !== 1) return (reply.rCode = EFORMAT, send());
    const q = query.queries[0]!;
    const source = this.#authorityFor(q.name);
    const authority = source?.loaded();
    if (source !== undefined && authority === undefined) return (reply.rCode = ESERVER, send());
    if (q.type === AXFR) {
      if (via === 'udp' || authority === undefined || !sameName(q.name, authority.origin)) {
        return (reply.rCode = EREFUSED, send());
      }
      return this.#transfer(reply, authority.transfer());
    }
    if (q.type === IXFR) {
      if (authority === undefined || !sameName(q.name, authority.origin)) return (reply.rCode = EREFUSED, send());
      const theirs = query.authority.find((rr) => rr.type === SOA && sameName(rr.name, authority.origin));
      if (theirs === undefined) return (reply.rCode = EFORMAT, send());
      return this.#incremental(reply, authority, source!, serialOf(theirs), via);
    }
    if (authority !== undefined) {
      const { authoritative, rCode, answers, authority: ns, additional } = authority.answer(q);
      reply.auth = authoritative;
      if (authoritative && q.type === ALL_RECORDS && via === 'udp') {
        reply.answers = [{ name: q.name, type: HINFO, cls: q.cls, ttl: authority.soa.ttl, payload: { type: HINFO, data: RFC8482_HINFO, opaque: true } }];
      } else {
        Object.assign(reply, { rCode, answers, authority: ns, additional });
      }
      this.#cacheable = shortestTTL(reply);
      return send();
    }
    if (this.forwarder === null) return (reply.rCode = EREFUSED, send());
    return this.#forward(reply, q, send);
  }

  /**
   * A NOTIFY (RFC 1996 §3.7): one SOA question for a zone held here as a secondary, from its primary.
   * The answer is the acknowledgement; the refresh it starts runs on its own.
   */
  #notify(query: Message, from: string | undefined): number {
    const q = query.queries[0];
    if (query.queries.length !== 1 || q!.type !== SOA) return EFORMAT;
    const authority = this.#authorityFor(q!.name);
    if (authority === undefined || !sameName(q!.name, authority.origin)) return ENOTAUTH;
    if (from === undefined || authority.notify?.(from) !== true) return EREFUSED;
    return OK;
  }

  #authorityFor(name: string): Authority | undefined {
    let best: Authority | undefined;
    for (const a of this.authorities) if (inZone(a.origin, name) && (best === undefined || a.origin.length > best.origin.length)) best = a;
    return best;
  }

  async #forward(reply: Message, q: Query, send: () => Uint8Array[]): Promise<Uint8Array[]> {
    try {
      const [answers, authority, additional] = await this.forwarder!.query(q.name, q.type, q.cls);
      Object.assign(reply, { answers, authority, additional });
    } catch (e) {
      reply.rCode = e instanceof DNSResponseError ? e.rcode : ESERVER;
    }
    return send();
  }

  /**
   * IXFR (RFC 1995 §4): the current SOA alone when the asker is up to date, or over UDP (where it means
   * "ask again over TCP"); the differences since the asker's serial when the history reaches back to it;
   * else the whole zone in AXFR form.
   */
  #incremental(reply: Message, zone: FileAuthority, source: Authority, serial: number, via: QueryTransport): Uint8Array[] {
    reply.auth = true;
    const changes = source.changesSince?.(serial);
    if (via === 'udp' || (changes !== undefined && changes.length === 0)) return this.#transfer(reply, [zone.soa]);
    if (changes === undefined) return this.#transfer(reply, zone.transfer());
    const records = [zone.soa];
    for (const step of changes) records.push(step.from, ...step.deleted, step.to, ...step.added);
    records.push(zone.soa);
    return this.#transfer(reply, records);
  }

  /** A zone transfer's records split over messages of a few hundred records each (TCP, or a lone SOA over UDP). */
  #transfer(reply: Message, all: RRHeader[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    const perMessage = this.#limits.axfrRecordsPerMessage;
    for (let i = 0; i < all.length; i += perMessage) {
      const part = { ...reply, auth: true, queries: i === 0 ? reply.queries : [], answers: all.slice(i, i + perMessage) };
      out.push(encodeMessage(part));
    }
    return out;
  }
}

/** The shortest TTL of a reply's records: how long the reply stays true. */
function shortestTTL(reply: Message): number {
  let ttl = Infinity;
  for (const section of [reply.answers, reply.authority, reply.additional]) for (const rr of section) ttl = Math.min(ttl, rr.ttl);
  return ttl;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b;
}
