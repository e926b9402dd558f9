/**
 * A zone that changes over time (a reloaded zone file, a secondary's transfers), with the differences
 * between its recent versions kept in memory for incremental transfers (IXFR, RFC 1995). The history is
 * bounded in versions and in records; a change that does not move the serial forward (RFC 1982), or a
 * zone dropped, clears it, so a difference is only ever handed out for the exact serials it joins.
 * @module
 */
import { SOA } from '../constants.js';
import { DNSTransferError } from '../errors.js';
import type { RRHeader } from '../message.js';
import { encodePayload, type RecordSOA } from '../records.js';
import { canonicalName, WireWriter } from '../wire.js';
import { FileAuthority, type Authority } from './authority.js';

/** One step of a zone's history: the records removed and added between two SOAs. */
export interface ZoneDiff {
  /** The SOA before. */
  from: RRHeader;
  /** The SOA after. */
  to: RRHeader;
  deleted: RRHeader[];
  added: RRHeader[];
}

/** The bounds of a zone's history. */
export interface ZoneHistoryLimits {
  /** The most differences kept (the oldest go first). */
  ixfrHistoryVersions: number;
  /** The most records all kept differences may hold together (the oldest go first). */
  ixfrHistoryRecords: number;
}

/** The serial of an SOA record. */
export function serialOf(soa: RRHeader): number {
  return (soa.payload as RecordSOA).serial;
}

/** Whether serial `a` is newer than `b` in RFC 1982 arithmetic. */
export function serialNewer(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/** A record's identity: owner (any case), type, class, TTL and RDATA bytes. */
export function recordKey(rr: RRHeader): string {
  const w = new WireWriter();
  encodePayload(w, rr.payload);
  let key = `${canonicalName(rr.name)}|${rr.type}|${rr.cls}|${rr.ttl}|`;
  for (const b of w.result()) key += String.fromCharCode(b);
  return key;
}

function isApexSOA(origin: string, rr: RRHeader): boolean {
  return rr.type === SOA && canonicalName(rr.name) === origin;
}

/** The records of a zone other than its SOA, by identity. */
function recordsByKey(zone: FileAuthority): Map<string, RRHeader> {
  const out = new Map<string, RRHeader>();
  for (const rr of zone.transfer()) if (!isApexSOA(zone.origin, rr)) out.set(recordKey(rr), rr);
  return out;
}

/** The difference between two versions of a zone. */
export function diffZones(before: FileAuthority, after: FileAuthority): ZoneDiff {
  const old = recordsByKey(before);
  const now = recordsByKey(after);
  const deleted = [...old].filter(([k]) => !now.has(k)).map(([, rr]) => rr);
  const added = [...now].filter(([k]) => !old.has(k)).map(([, rr]) => rr);
  return { from: before.soa, to: after.soa, deleted, added };
}

/**
 * Applies differences, in order, to a zone: each must start at the serial the zone is at, and delete only
 * records it holds; anything else is a `DNSTransferError` (the caller then asks for the whole zone).
 */
export function applyDiffs(zone: FileAuthority, diffs: readonly ZoneDiff[]): FileAuthority {
  const records = recordsByKey(zone);
  let soa = zone.soa;
  for (const diff of diffs) {
    if (serialOf(diff.from) !== serialOf(soa)) throw new DNSTransferError(`IXFR of ${zone.origin}: a step from serial ${serialOf(diff.from)}, the zone is at ${serialOf(soa)}`);
    for (const rr of diff.deleted) {
      if (!records.delete(recordKey(rr))) throw new DNSTransferError(`IXFR of ${zone.origin}: deletes a record the zone does not hold (${rr.name} type ${rr.type})`);
    }
    for (const rr of diff.added) records.set(recordKey(rr), rr);
    soa = diff.to;
  }
  return new FileAuthority({ origin: zone.origin, records: [soa, ...records.values()] });
}

/** A zone's current version and the differences that led to it. */
export class ZoneVersions implements Authority {
  readonly origin: string;
  #current: FileAuthority | undefined;
  #diffs: ZoneDiff[] = [];
  #records = 0;

  constructor(origin: string, private readonly limits: ZoneHistoryLimits) {
    this.origin = canonicalName(origin);
  }

  loaded(): FileAuthority | undefined {
    return this.#current;
  }

  /** How many differences are kept. */
  get historyLength(): number {
    return this.#diffs.length;
  }

  /**
   * Makes `next` the current version (undefined: the zone is gone). When the serial moved forward the
   * difference is kept (`diff` when the caller has it, as an IXFR brings it, else computed).
   */
  replace(next: FileAuthority | undefined, diff?: ZoneDiff): void {
    const before = this.#current;
    this.#current = next;
    if (before === undefined || next === undefined || !serialNewer(serialOf(next.soa), serialOf(before.soa))) {
      this.#diffs = [];
      this.#records = 0;
      return;
    }
    if (this.limits.ixfrHistoryVersions <= 0) return;
    const step = diff ?? diffZones(before, next);
    this.#diffs.push(step);
    this.#records += step.deleted.length + step.added.length;
    while (this.#diffs.length > this.limits.ixfrHistoryVersions || (this.#records > this.limits.ixfrHistoryRecords && this.#diffs.length > 0)) {
      const gone = this.#diffs.shift()!;
      this.#records -= gone.deleted.length + gone.added.length;
    }
  }

  /**
   * The differences from version `serial` to the current one, oldest first; an empty list when `serial`
   * is current (or newer); undefined when the history does not reach back to it.
   */
  changesSince(serial: number): ZoneDiff[] | undefined {
    if (this.#current === undefined) return undefined;
    if (!serialNewer(serialOf(this.#current.soa), serial)) return [];
    const start = this.#diffs.findIndex((d) => serialOf(d.from) === serial);
    return start < 0 ? undefined : this.#diffs.slice(start);
  }
}
