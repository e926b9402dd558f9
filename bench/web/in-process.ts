/**
 * The server's own cost per request, without sockets: a Site's channel over a transport that only counts
 * what it is given, fed reads of `depth` pipelined wrk-style requests (`GET /` with a Host field). Prints the
 * CPU time per request (user + system of this process, garbage collection included), best and median of 5
 * batches. For profiling the hot path: `node --import tsx --cpu-prof bench/web/in-process.ts 16 3`.
 *
 * Usage: `node --import tsx bench/web/in-process.ts [depth=16] [millions of requests=2]`
 * @module
 */
import { Resource, Site, type Request } from '../../src/web/index.js';
import type { HTTPChannel } from '../../src/web/channel.js';
import type { Data } from '../../src/internet/interfaces.js';

const depth = Number(process.argv[2] ?? 16);
const total = Number(process.argv[3] ?? 2) * 1e6;

class Hello extends Resource {
  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'text/plain');
    return 'Hello, world!';
  }
}

const site = new Site(new Hello(), { accessLog: false });
let written = 0;
const noop = (): void => {};
const transport = {
  write(d: Data): void {
    written += typeof d === 'string' ? d.length : d.byteLength;
  },
  writeSequence(ds: readonly Data[]): void {
    for (const d of ds) this.write(d);
  },
  getWriteBufferSize: () => 0,
  setTcpNoDelay: noop,
  getPeer: () => ({ host: '127.0.0.1', port: 1 }),
  getHost: () => ({ host: '127.0.0.1', port: 2 }),
  registerProducer: noop,
  unregisterProducer: noop,
  pauseProducing: noop,
  resumeProducing: noop,
  loseConnection: noop,
  abortConnection: noop,
};
const channel: HTTPChannel = site.buildProtocol(transport.getPeer() as never);
channel.makeConnection(transport as never);
const read = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'.repeat(depth));
// A fresh Buffer per read, as a socket hands them.
const run = (n: number): void => {
  for (let i = 0; i < n; i += depth) channel.dataReceived(Buffer.from(read));
};

run(200_000);
written = 0;
const batches: number[] = [];
for (let b = 0; b < 5; b++) {
  const before = process.cpuUsage();
  run(total / 5);
  const used = process.cpuUsage(before);
  batches.push(((used.user + used.system) * 1000) / (total / 5));
}
batches.sort((a, b) => a - b);
console.log(JSON.stringify({ depth, nsPerRequest: { best: Math.round(batches[0]), median: Math.round(batches[2]) }, bytesPerResponse: written / total }));
process.exit(0);
