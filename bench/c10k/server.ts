/**
 * A C10K benchmark server in its own process (argv[2]): `torsion-ws` / `ws` (a WebSocket echo at `/echo`),
 * `torsion-http` / `node-http` (a keep-alive hello-world), or `torsion-live` (live pages for argv[3] clients,
 * see live-server.ts). Sends its port over IPC; answers `{cmd:'mem'}` with memory figures after a full GC and
 * the number of open connections (and `torsion-live` its other commands); exits normally on SIGTERM.
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { reactor } from '../../src/internet/index.js';
import { Resource, Site, type Request } from '../../src/web/index.js';
import { WebSocketProtocol, WebSocketResource } from '../../src/web/websocket/index.js';
import { startLiveServer } from './live-server.js';

const kind = process.argv[2];
const HELLO = 'Hello, world!';
let connections = 0;
let live: ReturnType<typeof startLiveServer> | null = null;

async function start(): Promise<number> {
  if (kind === 'torsion-live') {
    live = startLiveServer(Number(process.argv[3]));
    return live.port;
  }
  if (kind === 'torsion-ws' || kind === 'torsion-http') {
    class Echo extends WebSocketProtocol {
      override negotiationFinished(): void {
        connections++;
      }
      override textMessageReceived(data: string): void {
        this.transport.sendTextMessage(data);
      }
      override connectionLost(): void {
        connections--;
      }
    }
    class Hello extends Resource {
      renderGET(request: Request): string {
        request.setHeader('Content-Type', 'text/plain');
        return HELLO;
      }
    }
    const root = new Hello();
    // Torsion's defaults (the WebSocket heartbeat included): what a deployed server holds per connection.
    root.putChild('echo', new WebSocketResource(() => new Echo()));
    const site = new Site(root, { accessLog: false });
    const port = reactor.listenTCP(0, site, { interface: '127.0.0.1', backlog: 4096 });
    if (kind === 'torsion-http') setInterval(() => (connections = site.channels.size), 100).unref();
    return (port.getHost() as unknown as { port: number }).port;
  }
  if (kind === 'ws') {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });
    await new Promise((r) => server.once('listening', r));
    server.on('connection', (ws) => {
      connections++;
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('close', () => connections--);
    });
    return (server.address() as AddressInfo).port;
  }
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(HELLO);
  });
  server.keepAliveTimeout = 600_000;
  server.on('connection', (s) => {
    connections++;
    s.on('close', () => connections--);
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  return (server.address() as AddressInfo).port;
}

const port = await start();
const exit = (): never => process.exit(0);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
process.on('message', (msg: { cmd: string }) => {
  if (live !== null) {
    void Promise.resolve(live.onMessage(msg.cmd)).then((answer) => process.send!(answer));
    return;
  }
  if (msg.cmd === 'mem') {
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send!({ rss: m.rss, heap: m.heapUsed, external: m.external, connections });
  }
});
process.send!({ port });
