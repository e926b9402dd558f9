/**
 * Child process of bench/bridge.bench.ts: a TCP echo server and, in front of it, a WebSocket-to-TCP
 * bridge: Torsion's `WebSocketBridgeResource`, or a relay built on the `ws` package and `node:net` (the
 * websockify pattern). Prints the bridge's port.
 */
import * as net from 'node:net';
import { WebSocketServer } from 'ws';
import { reactor, TCPClientEndpoint } from '../../src/internet/index.js';
import { WebSocketBridgeResource } from '../../src/live/bridge/index.js';
import { Resource, Site } from '../../src/web/index.js';

const kind = process.argv[2];
const echo = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
await new Promise((r) => echo.once('listening', r));
const echoPort = (echo.address() as net.AddressInfo).port;

if (kind === 'torsion') {
  const root = new Resource();
  root.putChild('bridge', new WebSocketBridgeResource(new TCPClientEndpoint(reactor, '127.0.0.1', echoPort), { pingInterval: 0 }));
  const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  console.log((port.getHost() as unknown as { port: number }).port);
  await reactor.run({ installSignalHandlers: false });
} else {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const sock = net.connect(echoPort, '127.0.0.1');
    ws.pause();
    sock.on('connect', () => ws.resume());
    ws.on('message', (data: Buffer) => {
      if (!sock.write(data)) {
        ws.pause();
        sock.once('drain', () => ws.resume());
      }
    });
    sock.on('data', (data) => {
      ws.send(data, { binary: true });
      if (ws.bufferedAmount > 64 * 1024) {
        sock.pause();
        const check = (): void => {
          if (ws.bufferedAmount > 16 * 1024) setTimeout(check, 1);
          else sock.resume();
        };
        setTimeout(check, 1);
      }
    });
    ws.on('close', () => sock.end());
    sock.on('close', () => ws.close(1000));
    sock.on('error', () => ws.close(1011));
  });
  await new Promise((r) => wss.once('listening', r));
  console.log((wss.address() as net.AddressInfo).port);
}
