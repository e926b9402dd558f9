/**
 * `torsion dns`: Twisted's `twistd dns`. Serves zone files authoritatively over UDP and TCP on one port,
 * and with `--recursive` forwards other names to the servers of a resolv.conf:
 * `torsion dns --port 10053 --interface 127.0.0.1 --bindzone ./example.test.zone --recursive --cache`.
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
import { SecondaryAuthority, tcpMaster } from './server/secondary.js';
import { QueryHandler } from './server/handler.js';
import { DNSDatagramProtocol, DNSServerFactory } from './server/server.js';
import { parseZone } from './zone.js';

const log = new Logger({ namespace: 'torsion.dns' });

/** Listens on TCP, then on UDP at the same port number (so `--port 0` gives one port for both). */
class DNSPortsService extends Service {
  #ports: IListeningPort[] = [];

  constructor(private readonly reactor: IReactor, private readonly port: number, private readonly iface: string, private readonly handler: QueryHandler,
    private readonly rateLimit: number, private readonly secondaries: readonly SecondaryAuthority[]) {
    super();
  }

  override startService(): void {
    super.startService();
    for (const s of this.secondaries) s.start();
    const tcp = this.reactor.listenTCP(this.port, new DNSServerFactory(this.handler, this.reactor), { interface: this.iface });
    const port = tcp.getHost() as unknown as { port: number };
    const udp = this.reactor.listenUDP(port.port, new DNSDatagramProtocol(this.handler, this.reactor, { serverQueriesPerSecond: this.rateLimit }),
      { interface: this.iface, reportSendErrors: false });
    this.#ports = [tcp, udp];
    log.info('listening on tcp {host}:{port}', { host: this.iface, port: port.port });
    log.info('listening on udp {host}:{port}', { host: this.iface, port: port.port });
  }

  override stopService(): Promise<void> {
    const ports = this.#ports;
    this.#ports = [];
    for (const s of this.secondaries) s.stop();
    return Promise.all(ports.map((p) => p.stopListening())).then(() => super.stopService()).then(() => undefined);
  }
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
    { name: 'secondary', description: 'Serve a copy of a zone transferred (AXFR) from a master and refreshed by its SOA: IP[:PORT]/ZONE', multiple: true, metavar: 'ip[:port]/zone' },
    { name: 'recursive', short: 'r', description: 'Forward names outside the zones to the resolv.conf servers', type: 'boolean' },
    { name: 'cache', short: 'c', description: 'Cache forwarded answers for their TTL', type: 'boolean' },
    { name: 'resolv-conf', description: 'The resolv.conf naming the servers to forward to', default: '/etc/resolv.conf', metavar: 'file' },
    { name: 'rate-limit', description: 'Queries a second one source address may send over UDP (0: no limit)', type: 'number', default: DNS_LIMITS.serverQueriesPerSecond, metavar: 'n' },
    { name: 'hosts-file', description: 'A hosts file the forwarder answers from first', metavar: 'file' },
  ],
  makeService(options, { reactor }) {
    const files = ((options.bindzone as string[] | undefined) ?? []).map((file) => {
      const zone = new FileAuthority(parseZone(readFileSync(file, 'utf8')));
      log.info('serving zone {origin} from {file}', { origin: zone.origin, file });
      return zone;
    });
    const forwarder = options.recursive === true
      ? createResolver({ resolvconf: options['resolv-conf'] as string, hosts: (options['hosts-file'] as string | undefined) ?? null, cache: options.cache === true, reactor })
      : null;
    const secondaries = ((options.secondary as string[] | undefined) ?? []).map((spec) => {
      const { host, port, zone } = parseSecondary(spec);
      log.info('secondary for zone {zone} from {host}:{port}', { zone, host, port });
      return new SecondaryAuthority(zone, tcpMaster(reactor, [host, port]), reactor, () => handler.zonesChanged());
    });
    const authorities: Authority[] = [...files, ...secondaries];
    if (authorities.length === 0 && forwarder === null) throw new UsageError('give a --bindzone, --secondary or --recursive');
    const handler = new QueryHandler(authorities, forwarder, {}, reactor);
    return new DNSPortsService(reactor, options.port as number, options.interface as string, handler, options['rate-limit'] as number, secondaries);
  },
};
