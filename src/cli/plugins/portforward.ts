/**
 * `torsion portforward`: forwards every connection on the listening endpoints to a destination endpoint.
 * @module
 */
import { clientFromString } from '../../internet/index.js';
import { ProxyFactory } from '../../protocols/index.js';
import { LISTEN_HELP, MultiService, loopbackEndpoints, strportsService, type Plugin } from '../../app/index.js';

export const portforwardPlugin: Plugin = {
  name: 'portforward',
  description: 'A port forwarder: relays each connection to a destination',
  options: [
    { name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(8080), metavar: 'endpoint' },
    { name: 'dest', short: 'd', description: 'Client endpoint to forward to, e.g. tcp:host=127.0.0.1:port=80', required: true, metavar: 'endpoint' },
  ],
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const factory = new ProxyFactory(clientFromString(reactor, options.dest as string));
    const app = new MultiService();
    for (const description of options.listen as string[]) strportsService(description, factory, reactor).setServiceParent(app);
    return app;
  },
};
