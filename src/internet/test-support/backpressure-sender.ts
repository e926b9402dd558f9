// Child process for backpressure.test.ts: a Torsion server that pushes TOTAL bytes to its one client with a
// streaming producer, then reports its peak RSS. Without backpressure it would buffer most of the gigabyte.
import type { IPushProducer, ITCPTransport } from '../interfaces.js';
import { Factory, Protocol } from '../protocol.js';
import { NodeReactor } from '../reactor.js';

const TOTAL = Number(process.env.TOTAL_BYTES ?? 1024 ** 3);
const chunk = Buffer.alloc(64 * 1024, 0x61);
const reactor = new NodeReactor();
const baseRss = process.memoryUsage.rss();
let maxRss = baseRss;
const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage.rss())), 10);

class Pusher extends Protocol<ITCPTransport> implements IPushProducer {
  sent = 0;
  paused = false;
  pauses = 0;
  override connectionMade(): void {
    this.transport.registerProducer(this, true);
    this.resumeProducing();
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    while (!this.paused && this.sent < TOTAL) {
      this.transport.write(chunk);
      this.sent += chunk.length;
    }
    if (this.sent >= TOTAL && !this.paused) {
      this.transport.unregisterProducer();
      this.transport.loseConnection();
    }
  }
  stopProducing(): void {}
  override connectionLost(): void {
    clearInterval(sampler);
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    process.stdout.write(`${JSON.stringify({ baseRss, maxRss, sent: this.sent, pauses: this.pauses })}\n`);
    void port.stopListening();
  }
}

const port = reactor.listenTCP(0, Factory.forProtocol(Pusher), { interface: '127.0.0.1' });
process.stdout.write(`${(port.getHost() as unknown as { port: number }).port}\n`);
