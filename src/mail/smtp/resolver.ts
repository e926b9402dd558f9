/**
 * Where mail for a domain goes (RFC 5321 §5.1): `DNSMXResolver` asks through `torsion/dns` (the queue's
 * default), `NodeMXResolver` through Node's own resolver; both give the same answers behind `IMXResolver`.
 * @module
 */
import { Resolver } from 'node:dns/promises';
import { Deferred } from '../../defer/index.js';
import { createResolver, DNSNameError, MX, type RecordMX, type Resolver as DNSResolver, type ResolverOptions } from '../../dns/index.js';
import { TorsionError } from '../../errors/index.js';
import type { IMXResolver, MXRecord } from '../interfaces.js';

/** The domain does not exist, or says it takes no mail (a null MX, RFC 7505): retrying will not help. */
export class NoMailHost extends TorsionError {
  override readonly code = 'TORSION_MAIL_NO_MAIL_HOST';
  override name = 'NoMailHost';
}

/**
 * MX lookups through `node:dns`: the records sorted by preference; the domain itself when it has none
 * (the implicit MX); `NoMailHost` for a domain that does not exist or has a null MX.
 *
 * @example
 * const hosts = await new NodeMXResolver().lookupMX('example.org');
 */
export class NodeMXResolver implements IMXResolver {
  readonly #resolver: Pick<Resolver, 'resolveMx'>;

  /**
   * `servers`: resolver addresses (`127.0.0.1:5353`), the system's by default; or a resolver of Node's
   * shape to ask instead.
   */
  constructor(servers?: readonly string[] | Pick<Resolver, 'resolveMx'>) {
    if (servers !== undefined && !Array.isArray(servers)) {
      this.#resolver = servers as Pick<Resolver, 'resolveMx'>;
      return;
    }
    const resolver = new Resolver();
    if (servers !== undefined) resolver.setServers([...(servers as readonly string[])]);
    this.#resolver = resolver;
  }

  lookupMX(domain: string): Deferred<MXRecord[]> {
    return Deferred.fromPromise(
      this.#resolver.resolveMx(domain).then(
        (records) => mailHosts(domain, records.map((r) => ({ exchange: r.exchange, priority: r.priority }))),
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENODATA') return [{ exchange: domain, priority: 0 }];
          if (e.code === 'ENOTFOUND') throw new NoMailHost(`${domain} does not exist`);
          throw e;
        },
      ),
    );
  }
}

/** MX records in preference order, or the domain itself (the implicit MX) when it has none; `NoMailHost` for a null MX. */
function mailHosts(domain: string, records: readonly MXRecord[]): MXRecord[] {
  if (records.length === 0) return [{ exchange: domain, priority: 0 }];
  if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) throw new NoMailHost(`${domain} takes no mail (null MX)`);
  return [...records].sort((a, b) => a.priority - b.priority);
}

/**
 * MX lookups through `torsion/dns` (its resolver: random ids and ports, answers checked against the question,
 * TCP on truncation, a TTL cache): the records sorted by preference; the domain itself when it has none (the
 * implicit MX); `NoMailHost` for a domain that does not exist or has a null MX. Other failures (a timeout, a
 * server failure) are passed on, so the queue tries again later.
 *
 * @example
 * const hosts = await new DNSMXResolver({ servers: [['127.0.0.1', 5353]] }).lookupMX('example.org');
 */
export class DNSMXResolver implements IMXResolver {
  readonly #resolver: Pick<DNSResolver, 'lookupMailExchange'>;

  /** `options` for `createResolver` (the system's resolv.conf by default), or a resolver to ask instead. */
  constructor(options: ResolverOptions | Pick<DNSResolver, 'lookupMailExchange'> = {}) {
    this.#resolver = 'lookupMailExchange' in options ? options : createResolver({ hosts: null, ...options });
  }

  lookupMX(domain: string): Deferred<MXRecord[]> {
    return this.#resolver.lookupMailExchange(domain).addCallbacks(
      ([answers]) => {
        const records = answers.filter((r) => r.type === MX).map((r) => ({ exchange: (r.payload as RecordMX).name, priority: (r.payload as RecordMX).preference }));
        return mailHosts(domain, records);
      },
      (failure) => {
        if (failure.check(DNSNameError)) throw new NoMailHost(`${domain} does not exist`);
        return failure;
      },
    );
  }
}
