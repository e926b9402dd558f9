/**
 * `torsion web`: serves a folder over HTTP/1.1 (and HTTPS through `ssl:` endpoints), on one or more
 * endpoints: `torsion web --listen tcp:8080 --listen ssl:8443:privateKey=key.pem:certKey=cert.pem --path ./public`.
 * @module
 */
import { MultiService, strportsService, type Plugin } from '../app/index.js';
import { EncodingResourceWrapper, GzipEncoderFactory } from './encoding.js';
import type { IResource } from './interfaces.js';
import { Site } from './site.js';
import { File } from './static/file.js';

export const webPlugin: Plugin = {
  name: 'web',
  description: 'A static web server for a folder (directory listings, ranges, gzip)',
  options: [
    { name: 'listen', short: 'l', description: 'Endpoint to listen on (tcp:8080, ssl:8443:privateKey=...:certKey=...)', multiple: true, default: ['tcp:8080'], metavar: 'endpoint' },
    { name: 'path', short: 'p', description: 'The folder to serve', default: '.', metavar: 'dir' },
    { name: 'no-listing', description: 'Answer 403 for folders without an index file', type: 'boolean' },
    { name: 'no-gzip', description: 'Never gzip responses', type: 'boolean' },
  ],
  makeService(options, { reactor }) {
    let root: IResource = new File(options.path as string, { directoryListing: !options['no-listing'] });
    if (!options['no-gzip']) root = new EncodingResourceWrapper(root, [new GzipEncoderFactory()]);
    const site = new Site(root, { clock: reactor });
    const app = new MultiService();
    for (const description of options.listen as string[]) strportsService(description, site, reactor).setServiceParent(app);
    return app;
  },
};
