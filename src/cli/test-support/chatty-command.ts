/**
 * A `torsion` command with one more plugin, `chatty`, that logs a line at every level once started and
 * then stops the reactor: the logging options are checked against it.
 */
import { registerPlugin, Service } from '../../app/index.js';
import { Logger, logLevels } from '../../logger/index.js';
import { main } from '../run.js';

const log = new Logger({ namespace: 'torsion.chatty' });
const quiet = new Logger({ namespace: 'torsion.chatty.quiet' });

registerPlugin({
  name: 'chatty',
  description: 'Logs a line at every level, then exits',
  options: [],
  makeService(_options, { reactor }) {
    const service = new Service();
    service.startService = () => {
      service.running = true;
      for (const level of logLevels) {
        log.emit(level, 'chatty {level} line', { level });
        quiet.emit(level, 'quiet {level} line', { level });
      }
      reactor.callLater(0, () => reactor.stop());
    };
    return service;
  },
});

process.exit(await main(process.argv.slice(2)));
