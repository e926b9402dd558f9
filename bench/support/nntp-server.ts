// The Torsion news server of bench/nntp.bench.ts, in its own process: the SQLite store at argv[2], on a
// free loopback port, printed on stdout.
import { reactor, serverFromString, type IPv4Address } from '../../src/internet/index.js';
import { DbNewsStorage, NNTPServerFactory } from '../../src/nntp/index.js';

const storage = new DbNewsStorage({ filename: process.argv[2]! });
await storage.open();
const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(new NNTPServerFactory({ storage }));
console.log((port.getHost() as IPv4Address).port);
await reactor.run();
