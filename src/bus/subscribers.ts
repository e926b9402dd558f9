/**
 * The handlers of one node, by channel.
 * @module
 */
import { Logger } from '../logger/index.js';
import type { BusEnvelope, BusHandler } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.bus' });

/** Which handlers listen on which channel, and delivery to them. */
export class Subscribers {
  readonly #byChannel = new Map<string, Set<BusHandler>>();

  /** Adds `handler`; returns whether it is the channel's first (the bus must start listening). */
  add(channel: string, handler: BusHandler): boolean {
    let set = this.#byChannel.get(channel);
    const first = set === undefined;
    if (set === undefined) this.#byChannel.set(channel, (set = new Set()));
    set.add(handler);
    return first;
  }

  /** Removes `handler`; returns whether the channel has none left (the bus may stop listening). */
  remove(channel: string, handler: BusHandler): boolean {
    const set = this.#byChannel.get(channel);
    if (set === undefined || !set.delete(handler)) return false;
    if (set.size > 0) return false;
    this.#byChannel.delete(channel);
    return true;
  }

  /** The channels with at least one handler. */
  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  clear(): void {
    this.#byChannel.clear();
  }

  /** Whether anyone listens on `channel`. */
  has(channel: string): boolean {
    return (this.#byChannel.get(channel)?.size ?? 0) > 0;
  }

  /** Calls each handler of the envelope's channel; a handler that throws is logged and the others still run. */
  deliver(data: unknown, envelope: BusEnvelope): void {
    const set = this.#byChannel.get(envelope.channel);
    if (set === undefined) return;
    // The handlers as they were at the call (a handler may subscribe or unsubscribe): a channel's only handler
    // (the usual case, once per message) is taken without copying the set.
    if (set.size === 1) call(set.values().next().value as BusHandler, data, envelope);
    else for (const handler of [...set]) call(handler, data, envelope);
  }
}

function call(handler: BusHandler, data: unknown, envelope: BusEnvelope): void {
  try {
    handler(data, envelope);
  } catch (e) {
    log.failure('bus handler for {channel} failed', e, { channel: envelope.channel }, 'error');
  }
}
