/**
 * The chat server as a `torsion` plugin: `torsion chat --listen tcp:7000 --idle 300` (by default on this
 * machine only, as every server plugin).
 */
import { LISTEN_HELP, MultiService, loopbackEndpoints, strportsService, type Plugin } from 'torsion/app';
import { ChatFactory } from './chat.js';

export const chatPlugin: Plugin = {
  name: 'chat',
  description: 'A line-based chat server',
  options: [
    { name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(7000), metavar: 'endpoint' },
    { name: 'idle', description: 'Seconds a silent client may stay', type: 'number', default: 300 },
  ],
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const app = new MultiService();
    // One factory, so clients on every endpoint share one room.
    const room = new ChatFactory(reactor, options.idle as number);
    for (const description of options.listen as string[]) strportsService(description, room, reactor).setServiceParent(app);
    return app;
  },
};
