// An IRC server over a words service: `node -C torsion-source --import tsx examples/irc-server/server.ts [endpoint]`
// (default tcp:6667:interface=127.0.0.1). The nick `admin` is registered with the password `sesame`: log in
// to it with PASS (`/connect 127.0.0.1 6667 sesame` in irssi) or SASL PLAIN. Ctrl-C (or SIGTERM) stops it:
// clients get ERROR, then the process exits.
import { reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { IRCServerFactory } from 'torsion/words/irc';
import { MemoryStore, createWordsService } from 'torsion/words';

const service = createWordsService({ store: new MemoryStore(), name: 'irc.example' });
await service.start();
await service.register('admin', 'sesame');

const factory = new IRCServerFactory(service, {
  motd: ['Welcome to the Torsion example IRC server.', 'Try /join #example'],
  flood: { burst: 20, rate: 4 },
});
const description = process.argv[2] ?? 'tcp:6667:interface=127.0.0.1';
const port = await serverFromString(reactor, description).listen(factory);
const host = port.getHost() as IPv4Address;
console.log(`irc server on ${host.host}:${host.port}`);

reactor.addSystemEventTrigger('before', 'shutdown', () => {
  factory.closeAll('Server shutting down'); // every connection, registered or not, gets ERROR
  return service.stop('Server shutting down');
});
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('irc server stopped'));
await reactor.run();
