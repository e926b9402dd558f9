/**
 * `torsion ftp`: serves a folder over FTP (and FTPS):
 * `torsion ftp --listen tcp:2121 --root ./public --auth memory:alice:secret [--anonymous]
 * [--passive-ports 30000-30100] [--public-address ADDR] [--tls-cert F --tls-key F] [--implicit-tls tcp:990]`.
 * By default it listens on this machine only.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LISTEN_HELP, MultiService, UsageError, addAuthOption, authCheckers, loopbackEndpoints, strportsService, type Plugin } from '../app/index.js';
import { AllowAnonymousAccess, Portal } from '../cred/index.js';
import { Logger } from '../logger/index.js';
import { FTPFactory } from './server/factory.js';
import { FTPRealm } from './server/realm.js';

const log = new Logger({ namespace: 'torsion.ftp' });

/** `30000-30100` as a port range. */
export function parsePortRange(text: string): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const range: [number, number] | null = m ? [Number(m[1]), Number(m[2])] : null;
  if (range === null || range[0] < 1 || range[0] > range[1] || range[1] > 65535) throw new UsageError(`--passive-ports needs LOW-HIGH within 1-65535, got ${JSON.stringify(text)}`);
  return range;
}

/** An implicit-TLS endpoint: `tcp:990...` turned into `ssl:990...` with the key and certificate. */
export function implicitTLSEndpoint(description: string, key: string, cert: string): string {
  const escape = (path: string): string => path.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/=/g, '\\=');
  const m = /^(?:tcp|ssl):(.*)$/i.exec(description);
  if (m === null) throw new UsageError(`--implicit-tls needs a tcp: endpoint (tcp:990), got ${JSON.stringify(description)}`);
  return `ssl:${m[1]}:privateKey=${escape(key)}:certKey=${escape(cert)}`;
}

export const ftpPlugin: Plugin = {
  name: 'ftp',
  description: 'An FTP/FTPS server for a folder (logins through --auth, optional read-only anonymous access)',
  options: addAuthOption([
    { name: 'listen', short: 'l', description: 'Endpoint to listen on (tcp:2121)', multiple: true, default: loopbackEndpoints(2121), metavar: 'endpoint' },
    { name: 'root', short: 'r', description: 'The folder every login sees as /', default: '.', metavar: 'dir' },
    { name: 'anonymous', description: 'Let USER anonymous (or ftp) in, read-only', type: 'boolean' },
    { name: 'passive-ports', description: 'Ports for passive data connections, LOW-HIGH (any free port by default)', metavar: 'range' },
    { name: 'public-address', description: 'The IPv4 address PASV advertises (behind NAT); the control connection’s own by default', metavar: 'addr' },
    { name: 'tls-cert', description: 'PEM certificate: enables AUTH TLS (explicit FTPS)', metavar: 'file' },
    { name: 'tls-key', description: 'PEM private key of --tls-cert', metavar: 'file' },
    { name: 'implicit-tls', description: 'Endpoint for implicit FTPS (tcp:990): TLS from the first byte', multiple: true, metavar: 'endpoint' },
  ]),
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const root = resolve(options.root as string);
    const checkers = authCheckers(options);
    const anonymous = options.anonymous === true;
    if (anonymous) checkers.push(new AllowAnonymousAccess());
    if (checkers.length === 0) throw new UsageError('say how users log in: --auth (see --help-auth) and/or --anonymous');
    const certFile = options['tls-cert'] as string | undefined;
    const keyFile = options['tls-key'] as string | undefined;
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
    const implicit = (options['implicit-tls'] as string[] | undefined) ?? [];
    if (implicit.length > 0 && certFile === undefined) throw new UsageError('--implicit-tls needs --tls-cert and --tls-key');
    const tls = certFile !== undefined && keyFile !== undefined ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined;
    const passive = options['passive-ports'] as string | undefined;
    const factory = new FTPFactory({
      portal: new Portal(new FTPRealm(root), checkers),
      reactor,
      allowAnonymous: anonymous,
      ...(passive !== undefined ? { passivePorts: parsePortRange(passive) } : {}),
      ...(options['public-address'] !== undefined ? { publicAddress: options['public-address'] as string } : {}),
      ...(tls !== undefined ? { tls } : {}),
    });
    const app = new MultiService();
    log.info('serving {root} over FTP{tls}{anonymous}', { root, tls: tls ? ' (AUTH TLS available)' : '', anonymous: anonymous ? ', anonymous read-only' : '' });
    for (const description of options.listen as string[]) strportsService(description, factory, reactor).setServiceParent(app);
    for (const description of implicit) strportsService(implicitTLSEndpoint(description, resolve(keyFile!), resolve(certFile!)), factory, reactor).setServiceParent(app);
    return app;
  },
};
