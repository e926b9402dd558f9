/**
 * A lean keep-alive HTTP/1.1 load generator over raw sockets, run as its own process so that it never
 * shares a core's event loop with the server it measures.
 *
 * `node --import tsx bench/web/loadgen.ts '{"port":8080,"connections":50,"pipeline":1,"seconds":5,"path":"/"}'`
 * prints `{"requests":n,"seconds":s,"rps":r,"p99ms":p,"bytes":b,"errors":e}` on stdout.
 * Responses are framed by Content-Length (the servers measured all send one).
 * @module
 */
import { connect, type Socket } from 'node:net';

interface Options {
  /** 'load' (default): keep-alive request loop; 'idle': open connections, one request each, then wait; 'download': fetch `path` `repeat` times on one connection. */
  mode?: 'load' | 'idle' | 'download';
  repeat?: number;
  port: number;
  host?: string;
  connections: number;
  pipeline: number;
  seconds: number;
  path: string;
  warmup?: number;
}

const opts = JSON.parse(process.argv[2]) as Options;
const request = Buffer.from(`GET ${opts.path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: torsion-loadgen\r\n\r\n`);
const batch = Buffer.concat(Array.from({ length: opts.pipeline }, () => request));
const CRLFCRLF = Buffer.from('\r\n\r\n');

const CL_UPPER = Buffer.from('Content-Length:');
const CL_LOWER = Buffer.from('content-length:');

/** The Content-Length of the head in `buf[start, end)`, found without building strings (this process must stay cheap). */
function contentLength(buf: Buffer, start: number, end: number): number {
  let at = buf.indexOf(CL_UPPER, start);
  if (at === -1 || at > end) at = buf.indexOf(CL_LOWER, start);
  if (at === -1 || at > end) return 0;
  let i = at + CL_UPPER.length;
  while (buf[i] === 0x20) i++;
  let n = 0;
  for (let c = buf[i]; c >= 0x30 && c <= 0x39; c = buf[++i]) n = n * 10 + (c - 0x30);
  return n;
}

let measuring = false;
let stopped = false;
let requests = 0;
let bytes = 0;
let errors = 0;
const latencies: number[] = [];

class Conn {
  socket: Socket;
  buf: Buffer | null = null;
  sent: number[] = [];
  need = -1;

  constructor() {
    this.socket = connect({ port: opts.port, host: opts.host ?? '127.0.0.1', noDelay: true });
    this.socket.on('connect', () => this.fire());
    this.socket.on('data', (d: Buffer) => this.data(d));
    this.socket.on('error', () => { errors++; });
  }

  fire(): void {
    if (stopped) return;
    const now = performance.now();
    for (let i = 0; i < opts.pipeline; i++) this.sent.push(now);
    this.socket.write(batch);
  }

  data(d: Buffer): void {
    bytes += d.length;
    const buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    this.buf = null;
    let pos = 0;
    for (;;) {
      if (this.need < 0) {
        const end = buf.indexOf(CRLFCRLF, pos);
        if (end === -1) break;
        this.need = contentLength(buf, pos, end);
        pos = end + 4;
      }
      if (buf.length - pos < this.need) break;
      pos += this.need;
      this.need = -1;
      const t = this.sent.shift()!;
      if (measuring) {
        requests++;
        latencies.push(performance.now() - t);
      }
      if (this.sent.length === 0) this.fire();
    }
    if (pos < buf.length) this.buf = buf.subarray(pos);
  }
}

if (opts.mode === 'idle') idle();
else if (opts.mode === 'download') download();
else load();

/** Opens the connections, sends one request on each, reports once all are answered, then keeps them open. */
function idle(): void {
  let answered = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < opts.connections; i++) {
    const s = connect({ port: opts.port, host: opts.host ?? '127.0.0.1' });
    sockets.push(s);
    let seen = false;
    s.on('connect', () => s.write(request));
    s.on('data', () => {
      if (!seen && ++answered === opts.connections) process.stdout.write('ready\n');
      seen = true;
    });
    s.on('error', () => { errors++; });
  }
  process.stdin.on('data', () => process.exit(0));
}

/** Downloads `path` `repeat` times on one keep-alive connection; reports bytes per second. */
function download(): void {
  const s = connect({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  let left = opts.repeat ?? 3;
  let need = -1;
  let head: Buffer | null = null;
  let total = 0;
  const start = performance.now();
  s.on('connect', () => s.write(request));
  s.on('data', (d: Buffer) => {
    let pos = 0;
    if (need < 0) {
      head = head ? Buffer.concat([head, d]) : d;
      const end = head.indexOf(CRLFCRLF);
      if (end === -1) return;
      need = Number(/content-length:\s*(\d+)/i.exec(head.toString('latin1', 0, end))![1]);
      d = head;
      pos = end + 4;
      head = null;
    }
    const n = Math.min(need, d.length - pos);
    need -= n;
    total += n;
    if (need === 0) {
      need = -1;
      if (--left === 0) {
        const seconds = (performance.now() - start) / 1000;
        process.stdout.write(`${JSON.stringify({ bytes: total, seconds, mbps: total / seconds / 1048576 })}\n`);
        process.exit(0);
      }
      s.write(request);
    }
  });
}

function load(): void {
const conns: Conn[] = [];
for (let i = 0; i < opts.connections; i++) conns.push(new Conn());
setTimeout(() => {
  measuring = true;
  const start = performance.now();
  setTimeout(() => {
    measuring = false;
    stopped = true;
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const p99ms = latencies.length ? latencies[Math.floor(latencies.length * 0.99)] : NaN;
    process.stdout.write(`${JSON.stringify({ requests, seconds, rps: requests / seconds, p99ms, bytes, errors })}\n`);
    for (const c of conns) c.socket.destroy();
    process.exit(0);
  }, opts.seconds * 1000);
}, (opts.warmup ?? 1) * 1000);
}
