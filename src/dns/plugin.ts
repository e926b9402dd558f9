/**
 * `torsion dns`: Twisted's `twistd dns`. Serves zone files authoritatively over UDP and TCP on one port,
 * and with `--recursive` forwards other names to the servers of a resolv.conf:
 * `torsion dns --port 10053 --interface 127.0.0.1 --bindzone ./example.test.zone --recursive --cache`.
 * SIGHUP reads the zone files again; `--notify IP[:PORT]` secondaries are sent a NOTIFY when a zone
 * changes (and when the server starts).
 * @module
 */
import { readFileSync } from 'node:fs';
import { Service, UsageError, type Plugin } from '../app/index.js';
import { isIPAddress } from '../internet/address.js';
import type { IListeningPort, IReactor } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { createResolver } from './client/resolver.js';
import { DNS_LIMITS } from './limits.js';
import { FileAuthority, type Authority } from './server/authority.js';
import { Notifier } from './server/notify.js';
import { serialNewer, serialOf, ZoneVersions } from './server/zone-versions.js';
import { SecondaryAuthority, tcpMaster } from './server/secondary.js';
import { QueryHandler } from './server/handler.js';
import { DNSDatagramProtocol, DNSServerFactory } from './server/server.js';
import { parseZone } from './zone.js';

const log = new Logger({ namespace: 'torsion.dns' });

/** A zone file and the versions of it served so far (SIGHUP reads it again). */
class ZoneFile {
  readonly versions: ZoneVersions;
  #text: string;

  constructor(readonly file: string) {
    this.#text = readFileSync(file, 'utf8');
    const zone = new FileAuthority(parseZone(this.#text));
    this.versions = new ZoneVersions(zone.origin, DNS_LIMITS);
    this.versions.replace(zone);
    log.info('serving zone {origin} from {file}', { origin: zone.origin, file });
  }

  /** Reads the file again; true when the zone changed. A file that no longer parses leaves the zone as it was. */
  reload(): boolean {
    const before = this.versions.loaded()!;
    let zone: FileAuthority;
    try {
      const text = readFileSync(this.file, 'utf8');
      if (text === this.#text) return false;
      zone = new FileAuthority(parseZone(text));
      if (zone.origin !== before.origin) throw new Error(`its origin changed from ${before.origin} to ${zone.origin}`);
      this.#text = text;
    } catch (e) {
      log.error('zone file {file} not reloaded: {error}', { file: this.file, error: (e as Error).message });
      return false;
    }
    if (!serialNewer(serialOf(zone.soa), serialOf(before.soa))) {
      log.warn('zone {origin} reloaded without a newer serial ({serial}): secondaries will not see the change', { origin: zone.origin, serial: serialOf(zone.soa) });
    }
    this.versions.replace(zone);
    log.info('zone {origin} reloaded from {file}, serial {serial}', { origin: zone.origin, file: this.file, serial: serialOf(zone.soa) });
    return true;
  }
}

/** Listens on TCP, then on UDP at the same port number (so `--port 0` gives one port for both). */
class DNSPortsService extends Service {
  #ports: IListeningPort[] = [];
  readonly #onHangUp = (): void => this.reload();

  constructor(private readonly reactor: IReactor, private readonly port: number, private readonly iface: string, private readonly handler: QueryHandler,
    private readonly rateLimit: number, private readonly secondaries: readonly SecondaryAuthority[], private readonly files: readonly ZoneFile[],
    private readonly notifier: Notifier | null) {
    super();
  }

  /** Reads every zone file again; the changed ones drop the answer cache and are announced to the secondaries. */
  reload(): void {
    for (const f of this.files) {
      if (!f.reload()) continue;
      this.handler.zonesChanged();
      const zone = f.versions.loaded()!;
      this.notifier?.zoneChanged(zone.origin, zone.soa);
    }
  }

  override startService(): void {
    super.startService();
    for (const s of this.secondaries) s.start();
    const tcp = this.reactor.listenTCP(this.port, new DNSServerFactory(this.handler, this.reactor), { interface: this.iface });
    const port = tcp.getHost() as unknown as { port: number };
    const udp = this.reactor.listenUDP(port.port, new DNSDatagramProtocol(this.handler, this.reactor, { serverQueriesPerSecond: this.rateLimit }),
      { interface: this.iface, reportSendErrors: false });
    this.#ports = [tcp, udp];
    process.on('SIGHUP', this.#onHangUp);
    log.info('listening on tcp {host}:{port}', { host: this.iface, port: port.port });
    log.info('listening on udp {host}:{port}', { host: this.iface, port: port.port });
    for (const f of this.files) {
      const zone = f.versions.loaded()!;
      this.notifier?.zoneChanged(zone.origin, zone.soa);
    }
  }

  override stopService(): Promise<void> {
    const ports = this.#ports;
    this.#ports = [];
    process.off('SIGHUP', this.#onHangUp);
    this.notifier?.stop();
    for (const s of this.secondaries) s.stop();
    return Promise.all(ports.map((p) => p.stopListening())).then(() => super.stopService()).then(() => undefined);
  }
}

/** `IP[:PORT]` (port 53 by default; an IPv6 address with a port goes in brackets). */
export function parseAddressPort(spec: string, option: string): [string, number] {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^/[\]]+?))(?::(\d{1,5}))?$/.exec(spec);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? 53 : Number(m[3]);
  if (m === null || host === undefined || !isIPAddress(host) || port < 1 || port > 65535) {
    throw new UsageError(`${option} wants IP[:PORT] (an IP address, not a host name), got ${JSON.stringify(spec)}`);
  }
  return [host, port];
}

/** `IP[:PORT]/ZONE` (Twisted's `--secondary` form; an IPv6 address with a port goes in brackets). */
export function parseSecondary(spec: string): { host: string; port: number; zone: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^/[\]]+?))(?::(\d{1,5}))?\/(.+)$/.exec(spec);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? 53 : Number(m[3]);
  if (m === null || host === undefined || !isIPAddress(host) || port < 1 || port > 65535) {
    throw new UsageError(`--secondary wants IP[:PORT]/ZONE (an IP address, not a host name), got ${JSON.stringify(spec)}`);
  }
  return { host, port, zone: m[4]! };
}

export const dnsPlugin: Plugin = {
  name: 'dns',
  description: 'A DNS server: authoritative from zone files, optionally a caching forwarder',
  options: [
    { name: 'port', short: 'p', description: 'The port for UDP and TCP (0: any free one)', type: 'number', default: 53, metavar: 'port' },
    { name: 'interface', short: 'i', description: 'The address to listen on: this machine only by default; 0.0.0.0 or :: listens on every interface', default: '127.0.0.1', metavar: 'address' },
    { name: 'bindzone', description: 'A zone file (RFC 1035 master file) to serve', multiple: true, metavar: 'file' },
    { name: 'secondary', description: 'Serve a copy of a zone transferred (AXFR, then IXFR) from a master, refreshed by its SOA and its NOTIFYs: IP[:PORT]/ZONE', multiple: true, metavar: 'ip[:port]/zone' },
    { name: 'notify', description: 'A secondary to send NOTIFY to when a zone changes (SIGHUP reloads the zone files): IP[:PORT]', multiple: true, metavar: 'ip[:port]' },
    { name: 'recursive', short: 'r', description: 'Forward names outside the zones to the resolv.conf servers', type: 'boolean' },
    { name: 'cache', short: 'c', description: 'Cache forwarded answers for their TTL', type: 'boolean' },
    { name: 'resolv-conf', description: 'The resolv.conf naming the servers to forward to', default: '/etc/resolv.conf', metavar: 'file' },
    { name: 'rate-limit', description: 'Queries a second one source address may send over UDP (0: no limit)', type: 'number', default: DNS_LIMITS.serverQueriesPerSecond, metavar: 'n' },
    { name: 'hosts-file', description: 'A hosts file the forwarder answers from first', metavar: 'file' },
  ],
  makeService(options, { reactor }) {
    const files = ((options.bindzone as string[] | undefined) ?? []).map((file) => new ZoneFile(file));
    const targets = ((options.notify as string[] | undefined) ?? []).map((spec) => parseAddressPort(spec, '--notify'));
    const notifier = targets.length > 0 ? new Notifier(reactor, targets) : null;
    const forwarder = options.recursive === true
      ? createResolver({ resolvconf: options['resolv-conf'] as string, hosts: (options['hosts-file'] as string | undefined) ?? null, cache: options.cache === true, reactor })
      : null;
    const secondaries = ((options.secondary as string[] | undefined) ?? []).map((spec) => {
      const { host, port, zone } = parseSecondary(spec);
      log.info('secondary for zone {zone} from {host}:{port}', { zone, host, port });
      const secondary: SecondaryAuthority = new SecondaryAuthority(zone, tcpMaster(reactor, [host, port]), reactor, () => {
        handler.zonesChanged();
        const held = secondary.loaded();
        if (held !== undefined) notifier?.zoneChanged(held.origin, held.soa);
      });
      return secondary;
    });
    const authorities: Authority[] = [...files.map((f) => f.versions), ...secondaries];
    if (authorities.length === 0 && forwarder === null) throw new UsageError('give a --bindzone, --secondary or --recursive');
    const handler = new QueryHandler(authorities, forwarder, {}, reactor);
    return new DNSPortsService(reactor, options.port as number, options.interface as string, handler, options['rate-limit'] as number, secondaries, files, notifier);
  },
};
