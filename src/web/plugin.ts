/**
 * `torsion web`: serves a folder over HTTP/1.1 (and HTTPS through `ssl:` endpoints), on one or more
 * endpoints: `torsion web --listen tcp:8080 --listen ssl:8443:privateKey=key.pem:certKey=cert.pem --path ./public`.
 * By default it listens on this machine only and keeps dotfiles (`.git`, `.env`) to itself.
 * @module
 */
import { resolve } from 'node:path';
import { LISTEN_HELP, MultiService, loopbackEndpoints, strportsService, webScheme, type Plugin } from '../app/index.js';
import { Logger } from '../logger/index.js';
import { EncodingResourceWrapper, GzipEncoderFactory } from './encoding.js';
import type { IResource } from './interfaces.js';
import { Site } from './site.js';
import { File } from './static/file.js';

const log = new Logger({ namespace: 'torsion.web' });

export const webPlugin: Plugin = {
  name: 'web',
  description: 'A static web server for a folder (directory listings, ranges, gzip)',
  options: [
    { name: 'listen', short: 'l', description: 'Endpoint to listen on (tcp:8080, ssl:8443:privateKey=...:certKey=...)', multiple: true, default: loopbackEndpoints(8080), metavar: 'endpoint' },
    { name: 'path', short: 'p', description: 'The folder to serve', default: '.', metavar: 'dir' },
    { name: 'no-listing', description: 'Answer 403 for folders without an index file', type: 'boolean' },
    { name: 'no-gzip', description: 'Never gzip responses', type: 'boolean' },
    { name: 'dotfiles', description: 'Serve and list names starting with a dot (.git, .env); hidden and 404 by default', type: 'boolean' },
  ],
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const path = resolve(options.path as string);
    let root: IResource = new File(path, { directoryListing: !options['no-listing'], dotfiles: options.dotfiles === true });
    if (!options['no-gzip']) root = new EncodingResourceWrapper(root, [new GzipEncoderFactory()]);
    const site = new Site(root, { clock: reactor });
    const app = new MultiService();
    log.info('serving {path}{dotfiles}', { path, dotfiles: options.dotfiles === true ? ' (dotfiles included)' : '' });
    for (const description of options.listen as string[]) strportsService(description, site, reactor, { urlScheme: webScheme(description) }).setServiceParent(app);
    return app;
  },
};
