// A news server kept in memory: `node -C torsion-source --import tsx examples/nntp/server.ts [endpoint]`
// (default tcp:1119:interface=127.0.0.1), carrying local.test and local.misc. SIGTERM stops it.
// For articles kept on disk use `torsion news --data ./var/news` (SQLite) instead.
import { reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { MemoryNewsStorage, NNTPServerFactory } from 'torsion/nntp';

const storage = new MemoryNewsStorage();
await storage.createGroup('local.test', { description: 'Try things here', created: reactor.seconds() });
await storage.createGroup('local.misc', { description: 'Anything else', created: reactor.seconds() });

const factory = new NNTPServerFactory({ storage, domain: 'example.org', limits: { maxArticleBytes: 64 * 1024 } });
const description = process.argv[2] ?? 'tcp:1119:interface=127.0.0.1';
const port = await serverFromString(reactor, description).listen(factory);
const host = port.getHost() as IPv4Address;
console.log(`news server on ${host.host}:${host.port}`);
reactor.addSystemEventTrigger('before', 'shutdown', () => factory.closeAll());
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('news server stopped'));
await reactor.run();
