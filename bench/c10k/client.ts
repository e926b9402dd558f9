/**
 * The C10K load generator, its own process: opens `connections` WebSocket (`ws` client), HTTP keep-alive
 * connections (raw sockets, one request each) or live pages (a GET, then a `LiveClient` over `ws`) in
 * batches, prints `ready` once all are open and answered, then on `go` on stdin measures `samples` sequential
 * round trips on connections picked at random (a 32-byte message and its echo, a GET and its response, or a
 * call of the page's server element and its answer) while every connection stays open, and prints
 * `{"p50":ms,"p99":ms,"errors":n}`. Exits when stdin ends.
 *
 * `node --import tsx bench/c10k/client.ts '{"mode":"ws","port":8080,"connections":10000,"samples":2000}'`
 * @module
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { LiveClient, type WebSocketConstructor } from '../../src/live/client/index.js';

interface Options {
  mode: 'ws' | 'http' | 'live';
  port: number;
  connections: number;
  samples: number;
}

const opts = JSON.parse(process.argv[2]) as Options;
const BATCH = 250;
const MESSAGE = 'x'.repeat(32);
const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';
let errors = 0;

/** One open connection: `ask` sends a message or request and resolves with its answer. */
interface Conn {
  ask(): Promise<void>;
}

function openWs(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/echo`, { perMessageDeflate: false });
    let waiting: (() => void) | null = null;
    ws.on('message', () => {
      const w = waiting;
      waiting = null;
      w?.();
    });
    ws.on('error', (e) => {
      errors++;
      reject(e);
    });
    ws.once('open', () =>
      resolve({
        ask: () =>
          new Promise<void>((r) => {
            waiting = r;
            ws.send(MESSAGE);
          }),
      }),
    );
  });
}

function openHttp(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ port: opts.port, host: '127.0.0.1', noDelay: true });
    let waiting: (() => void) | null = null;
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      // Every server here answers with a small Content-Length body in one piece; the body ends the response.
      if (!got.endsWith('Hello, world!')) return;
      got = '';
      const w = waiting;
      waiting = null;
      w?.();
    });
    s.on('error', (e) => {
      errors++;
      reject(e);
    });
    const conn: Conn = {
      ask: () =>
        new Promise<void>((r) => {
          waiting = r;
          s.write(REQUEST);
        }),
    };
    s.once('connect', () => void conn.ask().then(() => resolve(conn), reject));
  });
}

/** The browser side of a page's root widget: acknowledges the server's broadcasts. */
class Receiver {
  static exposed = ['receive'];
  receive(_message: unknown): boolean {
    return true;
  }
}

async function openLive(): Promise<Conn> {
  const res = await fetch(`http://127.0.0.1:${opts.port}/`);
  if (res.status !== 200) {
    errors++;
    throw new Error(`GET / answered ${res.status}`);
  }
  const page = /"page":"([^"]+)"/.exec(await res.text())?.[1];
  if (page === undefined) throw new Error('no page id in the document');
  const client = new LiveClient({ page, base: `http://127.0.0.1:${opts.port}/_live/`, transports: ['websocket'], WebSocket: WebSocket as unknown as WebSocketConstructor });
  client.registerWidget(1, new Receiver());
  await new Promise<void>((resolve) => {
    client.addEventListener('connected', () => resolve(), { once: true });
    client.start();
  });
  client.addEventListener('gone', () => errors++);
  return { ask: () => client.callRemote(1, 'echo', [MESSAGE]).asPromise().then(() => undefined) };
}

const open = { ws: openWs, http: openHttp, live: openLive }[opts.mode];
const conns: Conn[] = [];
for (let i = 0; i < opts.connections; i += BATCH) {
  const n = Math.min(BATCH, opts.connections - i);
  conns.push(...(await Promise.all(Array.from({ length: n }, open))));
}
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line !== 'go') continue;
  const times: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    const c = conns[Math.floor(Math.random() * conns.length)];
    const t = performance.now();
    await c.ask();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))];
  process.stdout.write(`${JSON.stringify({ p50: at(0.5), p99: at(0.99), errors })}\n`);
}
process.exit(0);
