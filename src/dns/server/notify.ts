/**
 * A primary's side of NOTIFY (RFC 1996): when a zone changes, each secondary configured for it is told
 * over UDP, from a fresh port and with a random id, and the message is sent again every `notifyTimeout`
 * seconds until the secondary acknowledges it (a NOTIFY response for the same zone), at most
 * `notifyAttempts` times. A newer change replaces a NOTIFY still being retried for the same zone and
 * secondary, so a busy zone never has more than one in flight per secondary.
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import { Logger } from '../../logger/index.js';
import { IN, OK, OP_NOTIFY, SOA } from '../constants.js';
import { DNS_LIMITS, type DNSLimits } from '../limits.js';
import { makeMessage, type Message, type RRHeader } from '../message.js';
import { queryUDP, randomId, type ResolverReactor } from '../client/exchange.js';

const log = new Logger({ namespace: 'torsion.dns.notify' });

/** The NOTIFY message for a zone: opcode 4, AA, the question `origin SOA IN`, the new SOA as the answer (RFC 1996 §3.7). */
export function makeNotify(id: number, origin: string, soa: RRHeader): Message {
  return makeMessage({ id, opCode: OP_NOTIFY, auth: true, queries: [{ name: origin, type: SOA, cls: IN }], answers: [soa] });
}

/** Sends NOTIFY for changed zones to a fixed list of secondaries. */
export class Notifier {
  readonly #limits: DNSLimits;
  /** The NOTIFY in flight per `zone|host|port`. */
  readonly #pending = new Map<string, Deferred<Message>>();
  /** NOTIFY messages acknowledged by a secondary. */
  acknowledged = 0;

  constructor(private readonly reactor: ResolverReactor, readonly targets: ReadonlyArray<[string, number]>, limits: Partial<DNSLimits> = {}) {
    this.#limits = { ...DNS_LIMITS, ...limits };
  }

  /** Tells every target that zone `origin` now has `soa`. */
  zoneChanged(origin: string, soa: RRHeader): void {
    for (const target of this.targets) this.#send(origin, soa, target, 1);
  }

  /** Stops every retry. */
  stop(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const d of pending) d.cancel();
  }

  #send(origin: string, soa: RRHeader, target: [string, number], attempt: number): void {
    const key = `${origin}|${target[0]}|${target[1]}`;
    const older = this.#pending.get(key);
    this.#pending.delete(key);
    older?.cancel();
    const where = { zone: origin, host: target[0], port: target[1] };
    const d = queryUDP(this.reactor, target, makeNotify(randomId(), origin, soa), this.#limits.notifyTimeout);
    // Only the NOTIFY still in the map may retry: one replaced or stopped is done. One that failed before it
    // was even sent (no socket) is not retried.
    const current = (): boolean => this.#pending.get(key) === d;
    let sent = false;
    d.addCallbacks((reply) => {
      if (current()) this.#pending.delete(key);
      if (reply.opCode !== OP_NOTIFY || reply.rCode !== OK) {
        log.warn('NOTIFY of {zone} to {host}:{port} answered with opcode {opCode} rcode {rCode}', { ...where, opCode: reply.opCode, rCode: reply.rCode });
        return;
      }
      this.acknowledged++;
      log.info('NOTIFY of {zone} acknowledged by {host}:{port}', where);
    }, (failure) => {
      if (sent && !current()) return;
      this.#pending.delete(key);
      if (sent && attempt < this.#limits.notifyAttempts) this.#send(origin, soa, target, attempt + 1);
      else log.warn('NOTIFY of {zone} to {host}:{port} unanswered: {error}', { ...where, error: failure.getErrorMessage() });
    });
    sent = true;
    if (!d.called) this.#pending.set(key, d);
  }
}
