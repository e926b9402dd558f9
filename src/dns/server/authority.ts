/**
 * Authoritative answers from one parsed zone, sans-I/O: the records of a name, CNAME chasing inside the
 * zone, NXDOMAIN or NODATA with the SOA in the authority section (RFC 2308), addresses of MX/NS/SRV
 * targets as additional records, and the zone in AXFR order.
 * @module
 */
import { A, AAAA, ALL_RECORDS, CNAME, DS, ENAME, MX, NS, OK, SOA, SRV } from '../constants.js';
import { DNSFormatError } from '../errors.js';
import type { Query, RRHeader } from '../message.js';
import type { RecordSOA } from '../records.js';
import { canonicalName } from '../wire.js';
import type { Zone } from '../zone.js';
import type { ZoneDiff } from './zone-versions.js';

/** The most CNAMEs followed inside the zone for one answer. */
const MAX_CNAME_CHAIN = 8;

/** What the zone says about a question. */
export interface AuthorityAnswer {
  /** False for a referral: the name is below a zone cut, so the zone is not the authority for it (AA off). */
  authoritative: boolean;
  rCode: number;
  answers: RRHeader[];
  authority: RRHeader[];
  additional: RRHeader[];
}

/** Something that serves a zone: a zone file, or a secondary holding its latest transfer. */
export interface Authority {
  /** The zone's origin, canonical. */
  readonly origin: string;
  /** The zone's data now; undefined while a secondary has none (never transferred, or expired). */
  loaded(): FileAuthority | undefined;
  /** The differences from version `serial` to now, for IXFR (see `ZoneVersions`); absent or undefined: the whole zone. */
  changesSince?(serial: number): ZoneDiff[] | undefined;
  /** A NOTIFY for the zone came from `host`: true when that is its primary (then it is refreshed). */
  notify?(host: string): boolean;
}

/** Whether `name` is at or below `origin` (canonical; `''` is the root). */
export function inZone(origin: string, name: string): boolean {
  const key = canonicalName(name);
  return origin === '' || key === origin || key.endsWith(`.${origin}`);
}

/** One zone, indexed for answering. */
export class FileAuthority implements Authority {
  readonly origin: string;
  readonly soa: RRHeader;
  readonly #byName = new Map<string, RRHeader[]>();
  readonly #records: RRHeader[];

  constructor(zone: Zone) {
    this.origin = canonicalName(zone.origin);
    const soa = zone.records.find((r) => r.type === SOA && canonicalName(r.name) === this.origin);
    if (soa === undefined) throw new DNSFormatError(`zone ${this.origin} has no SOA record at its origin`);
    this.soa = soa;
    this.#records = zone.records;
    for (const rr of zone.records) {
      const key = canonicalName(rr.name);
      if (key !== this.origin && !key.endsWith(`.${this.origin}`) && this.origin !== '') continue;
      const list = this.#byName.get(key) ?? [];
      list.push(rr);
      this.#byName.set(key, list);
    }
  }

  /** Always this zone. */
  loaded(): FileAuthority {
    return this;
  }

  /** Whether `name` is at or below the origin. */
  contains(name: string): boolean {
    return inZone(this.origin, name);
  }

  #exists(key: string): boolean {
    if (this.#byName.has(key)) return true;
    for (const other of this.#byName.keys()) if (other.endsWith(`.${key}`)) return true;
    return false;
  }

  /** The SOA for a negative answer, its TTL capped by its minimum field (RFC 2308 §3). */
  #negative(): RRHeader {
    return { ...this.soa, ttl: Math.min(this.soa.ttl, (this.soa.payload as RecordSOA).minimum) };
  }

  /**
   * The NS records of the zone cut at or above `key` and below the apex, if any (RFC 1034 §4.3.2 step 3b):
   * the closest one to the apex wins, since everything below it is the child zone's.
   */
  #cut(key: string): RRHeader[] | undefined {
    if (key === this.origin) return undefined;
    const below = this.origin === '' ? key : key.slice(0, -this.origin.length - 1);
    const labels = below.split('.');
    for (let i = labels.length - 1; i >= 0; i--) {
      const name = this.origin === '' ? labels.slice(i).join('.') : `${labels.slice(i).join('.')}.${this.origin}`;
      const ns = this.#byName.get(name)?.filter((rr) => rr.type === NS);
      if (ns !== undefined && ns.length > 0) return ns;
    }
    return undefined;
  }

  /** A referral to the child zone: its NS records in authority, their addresses (glue) in additional, AA off. */
  #referral(answers: RRHeader[], ns: RRHeader[]): AuthorityAnswer {
    return { authoritative: false, rCode: OK, answers, authority: ns, additional: this.#additional(ns) };
  }

  /** Answers `q` from the zone (the name must be inside it): records, a negative answer, or a referral. */
  answer(q: Query): AuthorityAnswer {
    const answers: RRHeader[] = [];
    let key = canonicalName(q.name);
    for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
      const cut = this.#cut(key);
      // A DS record lives on the parent side of its cut (RFC 4035 §3.1.4.1); everything else below a cut is referred.
      if (cut !== undefined && !(q.type === DS && canonicalName(cut[0]!.name) === key)) {
        if (hop === 0) return this.#referral(answers, cut);
        return { authoritative: true, rCode: OK, answers, authority: cut, additional: this.#additional(cut) };
      }
      const here = this.#byName.get(key) ?? [];
      const matching = here.filter((rr) => rr.cls === q.cls && (q.type === ALL_RECORDS || rr.type === q.type));
      const alias = here.find((rr) => rr.type === CNAME && rr.cls === q.cls);
      if (matching.length > 0 || alias === undefined || q.type === CNAME) {
        answers.push(...matching.map((rr) => (hop === 0 ? { ...rr, name: q.name } : rr)));
        if (answers.length > 0) return { authoritative: true, rCode: OK, answers, authority: [], additional: this.#additional(answers) };
        return { authoritative: true, rCode: this.#exists(key) ? OK : ENAME, answers, authority: [this.#negative()], additional: [] };
      }
      answers.push(hop === 0 ? { ...alias, name: q.name } : alias);
      key = canonicalName((alias.payload as { name: string }).name);
      if (!this.contains(key)) break;
    }
    return { authoritative: true, rCode: OK, answers, authority: [], additional: [] };
  }

  #additional(answers: RRHeader[]): RRHeader[] {
    const out: RRHeader[] = [];
    for (const rr of answers) {
      const p = rr.payload as { name?: string; target?: string };
      const target = rr.type === MX || rr.type === NS ? p.name : rr.type === SRV ? p.target : undefined;
      if (target === undefined || !this.contains(target)) continue;
      for (const extra of this.#byName.get(canonicalName(target)) ?? []) {
        if ((extra.type === A || extra.type === AAAA) && !out.includes(extra)) out.push(extra);
      }
    }
    return out;
  }

  /** The whole zone for AXFR: the SOA, every other record, the SOA again (RFC 5936 §2.2). */
  transfer(): RRHeader[] {
    return [this.soa, ...this.#records.filter((rr) => rr !== this.soa), this.soa];
  }
}
