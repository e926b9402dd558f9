// Child process for internet.bench.ts: an echo server, Torsion's or raw net's (argv[2]), on 127.0.0.1.
// Prints its port; answers "mem" on stdin with heap+external bytes after a GC, and the connection count;
// "cpu" with the CPU time it has used (microseconds, user + system).
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { Factory, Protocol } from '../../src/internet/protocol.js';
import { NodeReactor } from '../../src/internet/reactor.js';

const kind = process.argv[2];
let connections = 0;
let port: number;

if (kind === 'torsion') {
  class Echo extends Protocol {
    override connectionMade(): void {
      connections++;
    }
    override dataReceived(data: Uint8Array): void {
      this.transport.write(data);
    }
  }
  const reactor = new NodeReactor();
  const p = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1', backlog: 4096 });
  port = (p.getHost() as unknown as { port: number }).port;
} else {
  const noop = (): void => {};
  const server = net.createServer((s) => {
    connections++;
    s.on('data', (d) => s.write(d));
    s.on('error', noop);
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => r()));
  port = (server.address() as net.AddressInfo).port;
}

function memory(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

process.stdout.write(`${port}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'mem') process.stdout.write(`${JSON.stringify({ bytes: memory(), connections })}\n`);
  else if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${user + system}\n`);
  }
}
