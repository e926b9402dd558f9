/**
 * The greeter as a `torsion` plugin taking the standard `--auth` option:
 * `torsion greeter --auth memory:alice:secret --auth anonymous` (`--help-auth` lists the kinds).
 */
import { LISTEN_HELP, MultiService, addAuthOption, authCheckers, loopbackEndpoints, strportsService, type Plugin } from 'torsion/app';
import { GreeterFactory } from './greeter.js';

export const greeterPlugin: Plugin = {
  name: 'greeter',
  description: 'A line server that greets logged-in users',
  options: addAuthOption([{ name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(7100), metavar: 'endpoint' }]),
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const factory = new GreeterFactory(authCheckers(options, { required: true }), reactor);
    const app = new MultiService();
    for (const description of options.listen as string[]) strportsService(description, factory, reactor).setServiceParent(app);
    return app;
  },
};
