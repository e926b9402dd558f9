// Child process for websocket.bench.ts: a WebSocket echo server on 127.0.0.1, Torsion's or the `ws`
// package's (argv[2]). Prints its port, then runs until SIGTERM or SIGINT, on which it exits normally (so
// that `--cpu-prof` writes its profile).
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { reactor } from '../../src/internet/reactor.js';
import { Resource } from '../../src/web/resource.js';
import { Site } from '../../src/web/site.js';
import { WebSocketProtocol, WebSocketResource } from '../../src/web/websocket/index.js';

const kind = process.argv[2];
let port: number;

if (kind === 'torsion') {
  class Echo extends WebSocketProtocol {
    override textMessageReceived(data: string): void {
      this.transport.sendTextMessage(data);
    }
    override bytesMessageReceived(data: Uint8Array): void {
      this.transport.sendBytesMessage(data);
    }
  }
  const root = new Resource();
  root.putChild('echo', new WebSocketResource(() => new Echo(), { pingInterval: 0 }));
  const p = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  port = (p.getHost() as unknown as { port: number }).port;
} else {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  port = (server.address() as AddressInfo).port;
}
process.stdout.write(`${port}\n`);
const exit = (): never => process.exit(0);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
