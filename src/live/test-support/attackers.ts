/**
 * The attacking pages of the loopback attack tests, in a process of their own so that the test process
 * (which measures a normal page's latency) does not share their work. Arguments: `port kind count`.
 *
 * - `out-of-order`: each page sends MSG frames 2..1001 of about 250 KiB, never 1, until the server closes
 *   its connection; prints `[{sent, closed}]` and exits.
 * - `stalled`: each page says HELLO over a raw WebSocket and never reads its socket again, though it sends a
 *   PING every 2 s (so the heartbeat alone would not notice); prints `"ready"` and holds them until stdin ends.
 * - `idle`: not attackers but the crowd around them: well-behaved pages (`LiveClient`s answering every call)
 *   opened 200 at a time; prints `"ready"` once all are connected and holds them until stdin ends.
 * @module
 */
import WebSocket from 'ws';
import { LiveClient, type WebSocketConstructor } from '../client/index.js';
import { Protocol, clientFromString, connectProtocol, reactor, type ITCPTransport } from '../../internet/index.js';
import { encodeHello } from '../shared/frames.js';
import { bootOf } from './requests.js';

const [port, kind, count] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function newPage(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  if (res.status !== 200) throw new Error(`GET / answered ${res.status}`);
  return bootOf(await res.text()).page;
}

async function outOfOrder(): Promise<{ sent: number; closed: boolean }> {
  const page = await newPage();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/_live/ws`);
  ws.on('error', () => undefined);
  let closed = false;
  const done = new Promise<void>((r) => ws.on('close', () => ((closed = true), r())));
  await new Promise((r) => ws.once('open', r));
  ws.send(encodeHello(page, 0));
  await new Promise((r) => ws.once('message', r)); // WELCOME
  const payload = JSON.stringify(['c', 1, 1, 'record', ['x'.repeat(250 * 1024)]]);
  let sent = 0;
  for (let seq = 2; seq <= 1001 && ws.readyState === WebSocket.OPEN; seq++) {
    ws.send(`[1,${seq},0,${payload}]`);
    sent++;
    // Yield every time, so that a close (the server dropping us) is seen before the next frame.
    do await new Promise((r) => setImmediate(r));
    while (ws.bufferedAmount > MB && ws.readyState === WebSocket.OPEN);
  }
  await Promise.race([done, sleep(15_000)]);
  ws.terminate();
  return { sent, closed };
}

/** A masked text frame with an all-zero mask: the payload goes as it is. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** Opens a WebSocket by hand, says HELLO, stops reading, and pings. */
class Stalled extends Protocol<ITCPTransport> {
  #pings: ReturnType<typeof setInterval> | null = null;
  constructor(readonly page: string) {
    super();
  }
  override connectionMade(): void {
    this.transport.write('GET /_live/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    this.transport.write(textFrame(encodeHello(this.page, 0)));
    this.transport.pauseProducing();
    this.#pings = setInterval(() => this.transport.write(textFrame('[3,0]')), 2000);
  }
  override connectionLost(): void {
    if (this.#pings !== null) clearInterval(this.#pings);
  }
}

async function stalled(): Promise<Stalled> {
  const page = await newPage();
  return connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${port}`), new Stalled(page)).asPromise();
}

/** The browser side of an idle page's root widget: answers whatever the server calls. */
class Idle {
  static exposed = ['tick', 'receive'];
  tick(): void {}
  receive(): void {}
}

async function idle(): Promise<LiveClient> {
  const page = await newPage();
  const client = new LiveClient({ page, base: `http://127.0.0.1:${port}/_live/`, transports: ['websocket'], WebSocket: WebSocket as unknown as WebSocketConstructor });
  client.registerWidget(1, new Idle());
  const connected = new Promise((r) => client.addEventListener('connected', r, { once: true }));
  client.start();
  await connected;
  return client;
}

if (kind === 'out-of-order') {
  const results = await Promise.all(Array.from({ length: count }, () => outOfOrder()));
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
} else if (kind === 'stalled') {
  const sockets = await Promise.all(Array.from({ length: count }, () => stalled()));
  process.stdout.write('"ready"\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const s of sockets) (s.transport as ITCPTransport).abortConnection();
    process.exit(0);
  });
} else if (kind === 'idle') {
  const clients: LiveClient[] = [];
  for (let i = 0; i < count; i += 200) clients.push(...(await Promise.all(Array.from({ length: Math.min(200, count - i) }, () => idle()))));
  process.stdout.write('"ready"\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const c of clients) c.close();
    process.exit(0);
  });
} else {
  throw new Error(`unknown kind ${kind}`);
}
