/**
 * Helpers for the web tests: a site channel over a `StringTransport`, driven by a fake `Clock`.
 * @module
 */
import type { IResource } from './interfaces.js';
import { Site, type SiteOptions } from './site.js';
import { Clock, StringTransport } from '../testing/index.js';
import type { HTTPChannel } from './channel.js';

/** A channel of `site` over a `StringTransport` that counts writes. */
export interface Wired {
  site: Site;
  clock: Clock;
  transport: StringTransport;
  channel: HTTPChannel;
  /** Number of `transport.write`/`writeSequence` calls so far. */
  writes: () => number;
  /** Feeds `text` (latin1) to the channel. */
  send: (text: string | Uint8Array) => void;
  /** Everything written so far, as latin1. */
  output: () => string;
}

/** Wires a new connection to a site serving `root` (fake clock, access log off unless given). */
export function wire(root: IResource, options: SiteOptions = {}): Wired {
  const clock = (options.clock as Clock | undefined) ?? new Clock();
  const site = new Site(root, { accessLog: false, ...options, clock });
  return attach(site, clock);
}

/** Opens another connection to an existing site. */
export function attach(site: Site, clock: Clock): Wired {
  const transport = new StringTransport();
  let writes = 0;
  const write = transport.write.bind(transport);
  const writeSequence = transport.writeSequence.bind(transport);
  transport.write = (d) => {
    writes++;
    write(d);
  };
  transport.writeSequence = (d) => {
    writes++;
    writeSequence(d);
  };
  const channel = site.buildProtocol(transport.getPeer());
  channel.makeConnection(transport);
  return {
    site,
    clock,
    transport,
    channel,
    writes: () => writes,
    send: (text) => channel.dataReceived(typeof text === 'string' ? Buffer.from(text, 'latin1') : text),
    output: () => transport.value().toString('latin1'),
  };
}

/** Splits raw output into responses, by their status lines. */
export function statusCodes(output: string): number[] {
  return [...output.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}
