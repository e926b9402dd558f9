// An echo server: `node -C torsion-source --import tsx examples/echo/server.ts [endpoint]` (default tcp:8007:interface=127.0.0.1).
// Ctrl-C (or SIGTERM) stops it gracefully.
import { Factory, Protocol, reactor, serverFromString, type IPv4Address } from 'torsion/internet';

/** Writes back whatever it receives. */
export class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

const description = process.argv[2] ?? 'tcp:8007:interface=127.0.0.1';
const port = await serverFromString(reactor, description).listen(Factory.forProtocol(Echo));
const host = port.getHost() as IPv4Address;
console.log(`echo server on ${host.host}:${host.port}`);
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('echo server stopped'));
await reactor.run();
