// Child process for irc.bench.ts: Torsion's IRC server over an in-memory words service on 127.0.0.1.
// Prints its port; answers "gc" on stdin by collecting garbage and printing its heap + external bytes.
import { createInterface } from 'node:readline';
import { NodeReactor } from '../../src/internet/reactor.js';
import { FilteringLogObserver, globalLogBeginner, LogLevelFilterPredicate, textFileLogObserver } from '../../src/logger/index.js';
import { IRCServerFactory } from '../../src/words/irc/index.js';
import { createWordsService } from '../../src/words/index.js';

// As a deployed server would: logging begun (warnings and up, to stderr). Until it begins, the logger keeps
// the last 1,000 events of every level for replay, which would show up as memory per client here.
globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textFileLogObserver(process.stderr), [new LogLevelFilterPredicate('warn')])]);
const reactor = new NodeReactor();
const service = createWordsService({ name: 'irc.bench.torsion' });
await service.start();
const factory = new IRCServerFactory(service, { clock: reactor, flood: false, pingInterval: 600, motd: ['bench'] });
const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1', backlog: 4096 });
console.log((port.getHost() as unknown as { port: number }).port);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    console.log(m.heapUsed + m.external);
  }
});
