/**
 * The records of a zone transfer read one at a time, sans-I/O: AXFR (RFC 5936: the SOA, the zone, the SOA
 * again) and IXFR (RFC 1995 §4: the new SOA, then for each step the old SOA, the records deleted, the new
 * SOA, the records added, and the new SOA once more at the end; or the whole zone in AXFR form; or the new
 * SOA alone when the asker is up to date). Each reader throws `DNSTransferError` on anything out of
 * place and bounds the records it keeps.
 * @module
 */
import { SOA } from '../constants.js';
import { DNSTransferError } from '../errors.js';
import type { RRHeader } from '../message.js';
import { canonicalName } from '../wire.js';
import { serialNewer, serialOf, type ZoneDiff } from '../server/zone-versions.js';

/** Takes a transfer's answer records in order. */
export interface TransferReader<T> {
  /** One more record; true once the transfer is complete (the records after it are not read). */
  push(rr: RRHeader): boolean;
  /** What was transferred, once `push` returned true. */
  result(): T;
}

/** What an IXFR brought: nothing new, the differences, or the whole zone (SOA first). */
export type IncrementalResult =
  | { kind: 'current'; soa: RRHeader }
  | { kind: 'incremental'; soa: RRHeader; diffs: ZoneDiff[] }
  | { kind: 'full'; records: RRHeader[] };

abstract class BoundedReader {
  #count = 0;
  constructor(protected readonly origin: string, private readonly maxRecords: number, private readonly what: string) {}

  protected isSOA(rr: RRHeader): boolean {
    return rr.type === SOA && canonicalName(rr.name) === this.origin;
  }

  protected fail(message: string): never {
    throw new DNSTransferError(`${this.what} of ${this.origin}: ${message}`);
  }

  protected count(): void {
    if (++this.#count > this.maxRecords) this.fail(`over ${this.maxRecords} records`);
  }
}

/** An AXFR: the zone's records, its SOA first (the closing SOA left out). */
export class AXFRReader extends BoundedReader implements TransferReader<RRHeader[]> {
  readonly #records: RRHeader[] = [];

  constructor(origin: string, maxRecords: number) {
    super(origin, maxRecords, 'AXFR');
  }

  push(rr: RRHeader): boolean {
    const isSOA = this.isSOA(rr);
    if (this.#records.length === 0 && !isSOA) this.fail('does not start with its SOA');
    if (this.#records.length > 0 && isSOA) return true;
    this.count();
    this.#records.push(rr);
    return false;
  }

  result(): RRHeader[] {
    return this.#records;
  }
}

/** An IXFR asked with the zone at serial `held`. */
export class IXFRReader extends BoundedReader implements TransferReader<IncrementalResult> {
  #state: 'start' | 'second' | 'full' | 'deleted' | 'added' | 'done' = 'start';
  #soa: RRHeader | undefined;
  #result: IncrementalResult | undefined;
  readonly #records: RRHeader[] = [];
  readonly #diffs: ZoneDiff[] = [];
  #step: { from: RRHeader; to?: RRHeader; deleted: RRHeader[]; added: RRHeader[] } | undefined;

  constructor(origin: string, private readonly held: number, maxRecords: number) {
    super(origin, maxRecords, 'IXFR');
  }

  push(rr: RRHeader): boolean {
    const isSOA = this.isSOA(rr);
    switch (this.#state) {
      case 'start':
        if (!isSOA) this.fail('does not start with its SOA');
        this.#soa = rr;
        if (serialNewer(serialOf(rr), this.held)) return (this.#state = 'second', false);
        return this.#finish({ kind: 'current', soa: rr });
      case 'second':
        if (isSOA && serialOf(rr) === this.held) return this.#beginStep(rr);
        this.#records.push(this.#soa!);
        this.#state = 'full';
        return this.push(rr);
      case 'full':
        if (isSOA) return this.#finish({ kind: 'full', records: this.#records });
        this.count();
        this.#records.push(rr);
        return false;
      case 'deleted':
        if (isSOA) return (this.#step!.to = rr, this.#state = 'added', false);
        this.count();
        this.#step!.deleted.push(rr);
        return false;
      case 'added': {
        if (!isSOA) {
          this.count();
          this.#step!.added.push(rr);
          return false;
        }
        const step = this.#step!;
        const to = serialOf(step.to!);
        if (!serialNewer(to, serialOf(step.from))) this.fail(`a step from serial ${serialOf(step.from)} back to ${to}`);
        this.#diffs.push(step as ZoneDiff);
        const last = serialOf(this.#soa!);
        if (to === last && serialOf(rr) === last) return this.#finish({ kind: 'incremental', soa: this.#soa!, diffs: this.#diffs });
        if (serialOf(rr) !== to) this.fail(`a step from serial ${serialOf(rr)} after one to ${to}`);
        return this.#beginStep(rr);
      }
      case 'done':
        return true;
    }
  }

  #beginStep(from: RRHeader): boolean {
    this.#step = { from, deleted: [], added: [] };
    this.#state = 'deleted';
    return false;
  }

  #finish(result: IncrementalResult): boolean {
    this.#result = result;
    this.#state = 'done';
    return true;
  }

  result(): IncrementalResult {
    if (this.#result === undefined) this.fail('not complete');
    return this.#result;
  }
}
