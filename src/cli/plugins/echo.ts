/**
 * `torsion echo`: an echo server (RFC 862) on one or more endpoints.
 * @module
 */
import { Factory } from '../../internet/protocol.js';
import type { IAddress } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { Echo } from '../../protocols/index.js';
import { LISTEN_HELP, MultiService, loopbackEndpoints, strportsService, type Plugin } from '../../app/index.js';

const log = new Logger({ namespace: 'torsion.echo' });

/** Builds `Echo` protocols, logging each connection. */
class EchoFactory extends Factory<Echo> {
  override protocol = Echo;
  override buildProtocol(addr: IAddress): Echo | null {
    log.info('connection from {peer}', { peer: String(addr) });
    return super.buildProtocol(addr);
  }
}

export const echoPlugin: Plugin = {
  name: 'echo',
  description: 'An echo server: sends back every byte it receives',
  options: [{ name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(8007), metavar: 'endpoint' }],
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const app = new MultiService();
    const factory = new EchoFactory();
    for (const description of options.listen as string[]) strportsService(description, factory, reactor).setServiceParent(app);
    return app;
  },
};
