/**
 * Run by default.test.ts in a child process: logs through the global publisher with no observers installed.
 * @module
 */
import { Logger, captureLogs } from '../index.js';

const log = new Logger({ namespace: 'fixture' });
log.debug('debug is not printed');
log.info('info is not printed');
log.warn('warn is printed {n}', { n: 1 });
captureLogs(() => log.error('captured error is not printed'));
log.critical('critical is printed');
