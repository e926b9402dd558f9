/**
 * `torsion socks`: a SOCKS4/4a/5 proxy. Listens on loopback unless told otherwise, refuses loopback,
 * private, link-local and multicast destinations unless `--allow`ed, and with `--auth` requires a SOCKS5
 * login (SOCKS4 is then refused).
 * @module
 */
import { lookup } from 'node:dns/promises';
import { LISTEN_HELP, MultiService, UsageError, addAuthOption, authCheckers, loopbackEndpoints, strportsService, type Plugin } from '../app/index.js';
import { Logger } from '../logger/index.js';
import { parseRange } from './access.js';
import { SOCKSBadRangeError } from './errors.js';
import { SOCKSServerFactory } from './server.js';

const log = new Logger({ namespace: 'torsion.socks' });

export const socksPlugin: Plugin = {
  name: 'socks',
  description: 'A SOCKS4/4a/5 proxy (CONNECT, UDP ASSOCIATE), logins through --auth, private destinations refused unless --allow',
  options: addAuthOption([
    { name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(1080), metavar: 'endpoint' },
    { name: 'allow', description: 'Open an address range refused by default (loopback, private, link-local, multicast), e.g. 127.0.0.0/8', multiple: true, metavar: 'cidr' },
  ]),
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const allow = (options.allow as string[] | undefined) ?? [];
    for (const range of allow) {
      try {
        parseRange(range);
      } catch (e) {
        if (e instanceof SOCKSBadRangeError) throw new UsageError(`--allow: ${e.message}`);
        throw e;
      }
    }
    const checkers = authCheckers(options);
    const factory = new SOCKSServerFactory({
      reactor,
      checkers,
      allow,
      resolver: (host) => lookup(host, { all: true, verbatim: true }),
    });
    log.info('SOCKS proxy: {auth}; destinations opened: {allow}', { auth: checkers.length > 0 ? 'SOCKS5 login required, SOCKS4 refused' : 'no login', allow: allow.length > 0 ? allow.join(' ') : 'none (public addresses only)' });
    const app = new MultiService();
    for (const description of options.listen as string[]) strportsService(description, factory, reactor).setServiceParent(app);
    return app;
  },
};
