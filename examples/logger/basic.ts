/**
 * Logging with torsion/logger: namespaced loggers, structured fields, a per-namespace level filter, a
 * human text observer, and a failure with its traceback.
 * Run: node -C torsion-source --import tsx examples/logger/basic.ts
 */
import { Failure } from 'torsion/defer';
import { FilteringLogObserver, LogLevelFilterPredicate, Logger, globalLogBeginner, textFileLogObserver } from 'torsion/logger';

// Where logs go is the application's choice, made once at startup. Until then, warnings and worse are
// printed to stderr and everything is buffered; beginLoggingTo replays the buffer to the new observers.
const early = new Logger({ namespace: 'app.boot' });
early.info('configuration read from {path}', { path: 'app.json' });

// info and above everywhere, but debug for app.db (and everything under it).
const levels = new LogLevelFilterPredicate('info');
levels.setLogLevelForNamespace('app.db', 'debug');
// A fixed clock keeps this example's output the same on every run; leave formatTime out for ISO times.
const text = textFileLogObserver(process.stdout, { formatTime: () => '12:00:00' });
globalLogBeginner.beginLoggingTo([new FilteringLogObserver(text, [levels])]);

const web = new Logger({ namespace: 'app.web' });
const db = new Logger({ namespace: 'app.db' });

web.info('listening on port {port}', { port: 8080 });
web.debug('this debug line is filtered out');
db.debug('query {sql} took {ms} ms', { sql: 'SELECT 1', ms: 0.4 });
web.warn('slow client {peer}', { peer: '10.0.0.7' });

class ConnectionRefused extends Error {
  override name = 'ConnectionRefused';
}
const failure = new Failure(new ConnectionRefused('db.example:5432 refused'));
db.failure('could not reconnect after {tries} tries', failure, { tries: 3 }, 'error');
