// Child process for live.bench.ts: many idle Node clients, Torsion live pages (LiveClient over `ws`) or
// Socket.IO sockets, each answering the server's `receive` with an acknowledgement. Driven over IPC.
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { LiveClient, type WebSocketConstructor } from '../../src/live/client/index.js';

class Receiver {
  static exposed = ['receive'];
  received = 0;
  receive(_message: unknown): boolean {
    this.received++;
    return true;
  }
}

let live: LiveClient[] = [];
let sockets: Socket[] = [];

function whenAll<T>(items: T[], connected: (item: T, done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let left = items.length;
    for (const item of items) connected(item, () => --left === 0 && resolve());
  });
}

process.on('message', async (m: { cmd: string; base?: string; pages?: string[]; url?: string; n?: number }) => {
  if (m.cmd === 'live') {
    live = m.pages!.map((page) => {
      const client = new LiveClient({ page, base: m.base!, transports: ['websocket'], WebSocket: WebSocket as unknown as WebSocketConstructor, heartbeatInterval: 30, heartbeatTimeout: 90 });
      client.registerWidget(1, new Receiver());
      return client;
    });
    await whenAll(live, (c, done) => {
      c.addEventListener('connected', done, { once: true });
      c.start();
    });
  } else if (m.cmd === 'sio') {
    sockets = Array.from({ length: m.n! }, () => io(m.url!, { transports: ['websocket'], forceNew: true }));
    await whenAll(sockets, (s, done) => {
      s.on('receive', (_message: unknown, ack: (ok: boolean) => void) => ack(true));
      s.once('connect', done);
    });
  } else if (m.cmd === 'close') {
    for (const c of live) c.close();
    for (const s of sockets) s.close();
    live = [];
    sockets = [];
  }
  process.send!({ done: m.cmd });
});
