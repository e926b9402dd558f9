/**
 * Where mail for a domain goes (RFC 5321 §5.1), through Node's resolver for now: the `IMXResolver` seam is
 * what `torsion/dns` will implement.
 * @module
 */
import { Resolver } from 'node:dns/promises';
import { Deferred } from '../../defer/index.js';
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
        (records) => {
          if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) throw new NoMailHost(`${domain} takes no mail (null MX)`);
          return records.map((r) => ({ exchange: r.exchange, priority: r.priority })).sort((a, b) => a.priority - b.priority);
        },
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENODATA') return [{ exchange: domain, priority: 0 }];
          if (e.code === 'ENOTFOUND') throw new NoMailHost(`${domain} does not exist`);
          throw e;
        },
      ),
    );
  }
}
