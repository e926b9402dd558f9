/**
 * A secondary zone (RFC 1034 §4.3.5): transferred from a master with AXFR, then kept fresh by the SOA's
 * timers on the given clock, with IXFR (RFC 1995) once a version is held (AXFR again when the master
 * refuses it or its differences do not apply). Every `refresh` seconds the master's SOA serial is checked and the zone
 * transferred again when the serial moved forward (RFC 1982 arithmetic); a failed attempt is retried after
 * `retry` seconds; after `expire` seconds without one successful check the zone is dropped and its names
 * are answered SERVFAIL until a transfer succeeds again. A NOTIFY from the master (RFC 1996) starts a
 * check at once; NOTIFYs that arrive while one runs, or within `secondaryNotifyMinInterval` of the last,
 * are folded into one more check.
 * @module
 */
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import { Logger } from '../../logger/index.js';
import { AXFR, SOA } from '../constants.js';
import { DNSTransferError } from '../errors.js';
import { DNS_LIMITS, type DNSLimits } from '../limits.js';
import type { RRHeader } from '../message.js';
import type { RecordSOA } from '../records.js';
import { canonicalName } from '../wire.js';
import { queryTCP, randomId, sameHost, type ResolverReactor } from '../client/exchange.js';
import { transferIncremental, transferZone } from '../client/transfer.js';
import type { IncrementalResult } from '../client/transfer-readers.js';
import { makeQuery } from '../message.js';
import { FileAuthority, inZone, type Authority } from './authority.js';
import { applyDiffs, serialNewer, serialOf, ZoneVersions, type ZoneDiff } from './zone-versions.js';

export { serialNewer } from './zone-versions.js';

const log = new Logger({ namespace: 'torsion.dns.secondary' });

/** Where a secondary gets its zone from. */
export interface ZoneMaster {
  /** The master's address: the only source a NOTIFY is taken from. */
  readonly host?: string;
  /** The serial of the master's SOA for `origin`. */
  serial(origin: string): PromiseLike<number>;
  /** The zone's records, its SOA first. */
  transfer(origin: string): PromiseLike<RRHeader[]>;
  /** The changes since the version of `held` (IXFR); absent: every transfer is a whole one. */
  incremental?(origin: string, held: RRHeader): PromiseLike<IncrementalResult>;
}

/** A master reached over TCP at `server` (the SOA check and the AXFR each on a new connection). */
export function tcpMaster(reactor: ResolverReactor, server: [string, number], limits: Partial<DNSLimits> = {}): ZoneMaster {
  const l = { ...DNS_LIMITS, ...limits };
  const transferLimits = { timeout: l.secondaryTransferTimeout, maxRecords: l.secondaryMaxRecords, maxBuffer: l.maxTCPBufferBytes };
  return {
    host: server[0],
    serial: async (origin) => {
      const query = makeQuery(randomId(), origin, SOA);
      const reply = await queryTCP(reactor, server, query, l.secondaryTransferTimeout, l.maxTCPBufferBytes).asPromise();
      const soa = reply.answers.find((rr) => rr.type === SOA && canonicalName(rr.name) === origin);
      if (reply.rCode !== 0 || soa === undefined) throw new DNSTransferError(`the master has no SOA for ${origin} (rcode ${reply.rCode})`);
      return (soa.payload as RecordSOA).serial;
    },
    transfer: (origin) => transferZone(reactor, server, origin, transferLimits).asPromise(),
    incremental: (origin, held) => transferIncremental(reactor, server, origin, held, transferLimits).asPromise(),
  };
}

/** A zone kept as a copy of a master's. */
export class SecondaryAuthority implements Authority {
  readonly origin: string;
  readonly #limits: DNSLimits;
  readonly #versions: ZoneVersions;
  #next: IDelayedCall | undefined;
  #expiry: IDelayedCall | undefined;
  #running = false;
  /** A check or transfer is under way. */
  #busy = false;
  /** A NOTIFY came while busy (or too soon): one more check is owed. */
  #notified = false;
  /** Clock seconds of the last check a NOTIFY started. */
  #lastNotifiedCheck = -Infinity;
  /** Completed transfers. */
  transfers = 0;
  /** NOTIFY messages taken from the master. */
  notifies = 0;

  /** `onChange` runs whenever the zone's data changes (transferred or expired): the server's cache hook. */
  constructor(origin: string, private readonly master: ZoneMaster, private readonly clock: IReactorTime,
    private readonly onChange: () => void = () => undefined, limits: Partial<DNSLimits> = {}) {
    this.origin = canonicalName(origin);
    this.#limits = { ...DNS_LIMITS, ...limits };
    this.#versions = new ZoneVersions(this.origin, this.#limits);
  }

  loaded(): FileAuthority | undefined {
    return this.#versions.loaded();
  }

  changesSince(serial: number): ZoneDiff[] | undefined {
    return this.#versions.changesSince(serial);
  }

  /** The SOA of the zone held, if any. */
  get soa(): RecordSOA | undefined {
    return this.loaded()?.soa.payload as RecordSOA | undefined;
  }

  /** Starts: a transfer now, then the SOA's timers. */
  start(): void {
    this.#running = true;
    this.#attempt();
  }

  /** Stops every timer; the zone held is kept. */
  stop(): void {
    this.#running = false;
    if (this.#next?.active() === true) this.#next.cancel();
    if (this.#expiry?.active() === true) this.#expiry.cancel();
  }

  /**
   * A NOTIFY for the zone arrived from `host`. From the master (by address; the source port of a NOTIFY
   * is anyone's guess) it starts a check now, or as soon as the one running ends and
   * `secondaryNotifyMinInterval` has passed; from anyone else it is refused and changes nothing.
   */
  notify(host: string): boolean {
    if (this.master.host === undefined || !sameHost(host, this.master.host)) return false;
    this.notifies++;
    log.info('zone {origin}: NOTIFY from {host}', { origin: this.origin, host });
    if (!this.#running) return true;
    if (this.#busy) this.#notified = true;
    else this.#checkSoon();
    return true;
  }

  #checkSoon(): void {
    const wait = this.#lastNotifiedCheck + this.#limits.secondaryNotifyMinInterval - this.clock.seconds();
    if (this.#next?.active() === true) this.#next.cancel();
    const run = (): void => {
      this.#lastNotifiedCheck = this.clock.seconds();
      this.#attempt();
    };
    if (wait <= 0) run();
    else this.#next = this.clock.callLater(wait, run);
  }

  #schedule(seconds: number): void {
    if (!this.#running) return;
    if (this.#notified) {
      this.#notified = false;
      this.#checkSoon();
      return;
    }
    this.#next = this.clock.callLater(Math.max(seconds, this.#limits.secondaryMinInterval), () => this.#attempt());
  }

  #attempt(): void {
    this.#busy = true;
    this.#refresh().then(() => {
      this.#busy = false;
      if (!this.#running) return;
      this.#resetExpiry();
      this.#schedule(this.soa!.refresh);
    }, (e: unknown) => {
      this.#busy = false;
      log.warn('zone {origin}: {error}', { origin: this.origin, error: (e as Error).message });
      this.#schedule(this.soa?.retry ?? this.#limits.secondaryInitialRetry);
    });
  }

  async #refresh(): Promise<void> {
    const held = this.loaded();
    if (held !== undefined && !serialNewer(await this.master.serial(this.origin), serialOf(held.soa))) return;
    const incremental = held !== undefined ? await this.#incremental(held) : undefined;
    const zone = incremental ?? await this.#whole();
    if (!this.#running || zone === held) return;
    this.#versions.replace(zone);
    this.transfers++;
    this.onChange();
  }

  /** The zone by AXFR. */
  async #whole(): Promise<FileAuthority> {
    const records = (await this.master.transfer(this.origin)).filter((rr) => rr.type !== AXFR && inZone(this.origin, rr.name));
    const zone = new FileAuthority({ origin: this.origin, records });
    log.info('zone {origin}: transferred serial {serial}, {count} records', { origin: this.origin, serial: serialOf(zone.soa), count: records.length });
    return zone;
  }

  /**
   * The zone by IXFR from `held`: `held` itself when the master has nothing newer after all; undefined when
   * the master cannot or will not (refused, not implemented, malformed, or differences that do not apply
   * to what is held), so the whole zone is asked for instead.
   */
  async #incremental(held: FileAuthority): Promise<FileAuthority | undefined> {
    if (this.master.incremental === undefined) return undefined;
    try {
      const result = await this.master.incremental(this.origin, held.soa);
      if (result.kind === 'current') return held;
      if (result.kind === 'full') {
        const records = result.records.filter((rr) => inZone(this.origin, rr.name));
        log.info('zone {origin}: transferred serial {serial} (IXFR answered in full), {count} records', { origin: this.origin, serial: serialOf(records[0]!), count: records.length });
        return new FileAuthority({ origin: this.origin, records });
      }
      const diffs = result.diffs.map((d) => ({ ...d, added: d.added.filter((rr) => inZone(this.origin, rr.name)) }));
      const zone = applyDiffs(held, diffs);
      log.info('zone {origin}: incremental transfer (IXFR) from serial {from} to {serial}: {deleted} records deleted, {added} added', {
        origin: this.origin, from: serialOf(held.soa), serial: serialOf(zone.soa),
        deleted: diffs.reduce((n, d) => n + d.deleted.length, 0), added: diffs.reduce((n, d) => n + d.added.length, 0),
      });
      return zone;
    } catch (e) {
      if (!(e instanceof DNSTransferError)) throw e;
      log.info('zone {origin}: IXFR failed ({error}); asking for the whole zone', { origin: this.origin, error: e.message });
      return undefined;
    }
  }

  #resetExpiry(): void {
    if (this.#expiry?.active() === true) this.#expiry.cancel();
    this.#expiry = this.clock.callLater(this.soa!.expire, () => {
      log.warn('zone {origin}: expired (no answer from the master for {seconds} s)', { origin: this.origin, seconds: this.soa!.expire });
      this.#versions.replace(undefined);
      this.onChange();
    });
  }
}
