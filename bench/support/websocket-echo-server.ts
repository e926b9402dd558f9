// Child process for websocket.bench.ts: a WebSocket echo server on 127.0.0.1, Torsion's, the `ws`
// package's, or the node floor (argv[2]: torsion, ws, floor). Prints its port, then runs until SIGTERM or SIGINT, on which it exits normally (so
// that `--cpu-prof` writes its profile).
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
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
} else if (kind === 'floor') {
  const server = createServer({ noDelay: true }, floorConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
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

/**
 * The node floor: the least a Node program can do to echo small WebSocket messages, to show how near the
 * runtime lets a server come. The handshake, then per read: every whole frame (payloads under 64 KiB)
 * unmasked into one output buffer, written with one `write`. No checks, no limits, no close handshake.
 */
function floorConnection(socket: Socket): void {
  let kept: Buffer | null = null;
  let upgraded = false;
  socket.on('data', (chunk: Buffer) => {
    let buf = kept === null ? chunk : Buffer.concat([kept, chunk]);
    kept = null;
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        kept = buf;
        return;
      }
      const key = /\r\nsec-websocket-key: *([^\r]*)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      upgraded = true;
      buf = buf.subarray(end + 4);
    }
    const out = Buffer.allocUnsafe(buf.length);
    let pos = 0;
    let o = 0;
    while (buf.length - pos >= 2) {
      let length = buf[pos + 1]! & 0x7f;
      let head = 2;
      if (length === 126) {
        if (buf.length - pos < 4) break;
        length = buf.readUInt16BE(pos + 2);
        head = 4;
      }
      const start = pos + head + 4;
      if (start + length > buf.length) break;
      out[o] = buf[pos]!;
      out[o + 1] = length < 126 ? length : 126;
      if (length >= 126) out.writeUInt16BE(length, o + 2);
      o += head;
      for (let i = 0; i < length; i++) out[o + i] = buf[start + i]! ^ buf[pos + head + (i & 3)]!;
      o += length;
      pos = start + length;
    }
    if (o > 0) socket.write(out.subarray(0, o));
    if (pos < buf.length) kept = Buffer.from(buf.subarray(pos));
  });
  socket.on('error', () => socket.destroy());
}
