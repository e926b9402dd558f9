/**
 * LineReceiver on 200 MB of 64-byte lines: Torsion vs node:readline vs a hand-written Buffer.indexOf splitter
 * vs Python Twisted's LineOnlyReceiver (Debian's python3-twisted, run as a child process on the same data in
 * memory). Measured in memory (64 KiB chunks) and over a loopback TCP socket.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as readline from 'node:readline';
import { Readable } from 'node:stream';
import type { BenchCase } from './harness.js';
import { LineReceiver } from '../src/protocols/index.js';
import { Factory } from '../src/internet/protocol.js';
import { reactor } from '../src/internet/index.js';

const TOTAL = 200 * 1024 * 1024;
const LINE = 64;
const CHUNK = 65536;
const LINES = TOTAL / LINE;

function makeData(): { data: Buffer; chunks: Buffer[] } {
  const line = Buffer.from('x'.repeat(LINE - 2) + '\r\n');
  const data = Buffer.allocUnsafe(TOTAL);
  for (let i = 0; i < TOTAL; i += LINE) line.copy(data, i);
  const chunks: Buffer[] = [];
  for (let i = 0; i < TOTAL; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK));
  return { data, chunks };
}

class Counter extends LineReceiver {
  count = 0;
  bytes = 0;
  onDone: (() => void) | null = null;
  override lineReceived(line: Uint8Array): void {
    this.count++;
    this.bytes += line.length;
    if (this.count === LINES) this.onDone?.();
  }
}

/** The splitter people write by hand: Buffer.indexOf over one leftover buffer, each line handed on as a view. */
class Splitter {
  count = 0;
  bytes = 0;
  onLine(line: Buffer): void {
    this.count++;
    this.bytes += line.length;
  }
  #rest: Buffer | null = null;
  feed(chunk: Buffer): void {
    const buf = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk;
    let pos = 0;
    for (let i = buf.indexOf(13, pos); i >= 0 && i + 1 < buf.length; i = buf.indexOf(13, pos)) {
      if (buf[i + 1] !== 10) {
        pos = i + 1;
        continue;
      }
      this.onLine(buf.subarray(pos, i));
      pos = i + 2;
    }
    this.#rest = pos < buf.length ? buf.subarray(pos) : null;
  }
}

function rate(lines: number, ms: number): number {
  if (lines !== LINES) throw new Error(`counted ${lines} lines, expected ${LINES}`);
  return lines / (ms / 1000);
}

function memTorsion(chunks: Buffer[]): number {
  const p = new Counter();
  p.makeConnection({ disconnecting: false } as never);
  const t = performance.now();
  for (const c of chunks) p.dataReceived(c);
  return rate(p.count, performance.now() - t);
}

function memSplitter(chunks: Buffer[]): number {
  const s = new Splitter();
  const t = performance.now();
  for (const c of chunks) s.feed(c);
  return rate(s.count, performance.now() - t);
}

async function memReadline(chunks: Buffer[]): Promise<number> {
  const t = performance.now();
  const rl = readline.createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  let n = 0;
  for await (const _line of rl) n++;
  return rate(n, performance.now() - t);
}

const TWISTED = `
import json, sys, time
from twisted.protocols.basic import LineOnlyReceiver
from twisted.internet.testing import StringTransport
class P(LineOnlyReceiver):
    n = 0
    def lineReceived(self, line):
        self.n += 1
total, line, chunk = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
data = (b'x' * (line - 2) + b'\\r\\n') * (total // line)
chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
del data
p = P()
p.makeConnection(StringTransport())
t = time.perf_counter()
for c in chunks:
    p.dataReceived(c)
print(json.dumps({"lines": p.n, "seconds": time.perf_counter() - t}))
`;

function memTwisted(): number {
  // Debian's python3-twisted lives under /usr/bin/python3; a pyenv or venv python3 earlier on PATH lacks it.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', TWISTED, String(TOTAL), String(LINE), String(CHUNK)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error || r.status !== 0) throw new Error(`python3 with Twisted failed (install Debian packages python3 and python3-twisted): ${r.error?.message ?? r.stderr}`);
  const { lines, seconds } = JSON.parse(r.stdout) as { lines: number; seconds: number };
  return rate(lines, seconds * 1000);
}

/** Sends all chunks to `port` on 127.0.0.1, honouring backpressure, then half-closes. */
function send(port: number, chunks: Buffer[]): void {
  const sock = net.connect(port, '127.0.0.1');
  let i = 0;
  const pump = (): void => {
    while (i < chunks.length) if (!sock.write(chunks[i++])) return void sock.once('drain', pump);
    sock.end();
  };
  sock.on('connect', pump);
}

async function sockTorsion(chunks: Buffer[]): Promise<number> {
  let start = 0;
  let resolveRate!: (r: number) => void;
  const done = new Promise<number>((r) => (resolveRate = r));
  const factory = new Factory<Counter>();
  factory.buildProtocol = () => {
    const p = new Counter();
    p.onDone = () => resolveRate(rate(p.count, performance.now() - start));
    return p;
  };
  const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  start = performance.now();
  send((port.getHost() as unknown as { port: number }).port, chunks);
  const r = await done;
  await port.stopListening();
  return r;
}

async function sockNode(chunks: Buffer[], kind: 'readline' | 'splitter'): Promise<number> {
  let start = 0;
  let resolveRate!: (r: number) => void;
  const done = new Promise<number>((r) => (resolveRate = r));
  const server = net.createServer((sock) => {
    if (kind === 'readline') {
      let n = 0;
      const rl = readline.createInterface({ input: sock, crlfDelay: Infinity });
      rl.on('line', () => {
        if (++n === LINES) resolveRate(rate(n, performance.now() - start));
      });
    } else {
      const s = new Splitter();
      sock.on('data', (c: Buffer) => {
        s.feed(c);
        if (s.count === LINES) resolveRate(rate(s.count, performance.now() - start));
      });
    }
    sock.on('end', () => sock.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  start = performance.now();
  send((server.address() as net.AddressInfo).port, chunks);
  const r = await done;
  await new Promise<void>((res) => server.close(() => res()));
  return r;
}

export default async (): Promise<BenchCase[]> => {
  const { chunks } = makeData();
  // One warm-up pass each on a slice, so the JIT has seen the hot loops before the timed run.
  const warm = chunks.slice(0, 200);
  for (let i = 0; i < 3; i++) {
    const p = new Counter();
    p.makeConnection({ disconnecting: false } as never);
    for (const c of warm) p.dataReceived(c);
    new Splitter().feed(warm[0]);
  }
  const twisted = memTwisted();
  // Best of two alternating runs per subject: the machine is shared, and a single run is at the mercy of its neighbours.
  const best = async (fn: () => number | Promise<number>): Promise<number> => Math.max(await fn(), await fn());
  const mem: BenchCase = {
    name: 'LineReceiver, 200 MB of 64-byte lines, in memory (64 KiB chunks)',
    higherIsBetter: true,
    goal: '>= 1.3x readline, > Twisted LineOnlyReceiver',
    measurements: [
      { subject: 'torsion', value: await best(() => memTorsion(chunks)), unit: 'lines/s' },
      { subject: 'node:readline', value: await best(() => memReadline(chunks)), unit: 'lines/s' },
      { subject: 'Buffer.indexOf splitter', value: await best(() => memSplitter(chunks)), unit: 'lines/s' },
      { subject: 'Twisted LineOnlyReceiver', value: twisted, unit: 'lines/s' },
    ],
  };
  const sockRuns = { torsion: 0, readline: 0, splitter: 0 };
  for (let round = 0; round < 2; round++) {
    sockRuns.torsion = Math.max(sockRuns.torsion, await sockTorsion(chunks));
    sockRuns.readline = Math.max(sockRuns.readline, await sockNode(chunks, 'readline'));
    sockRuns.splitter = Math.max(sockRuns.splitter, await sockNode(chunks, 'splitter'));
  }
  const sock: BenchCase = {
    name: 'LineReceiver, 200 MB of 64-byte lines, loopback TCP',
    higherIsBetter: true,
    goal: '>= 1.3x readline on the socket',
    measurements: [
      { subject: 'torsion', value: sockRuns.torsion, unit: 'lines/s' },
      { subject: 'node:readline', value: sockRuns.readline, unit: 'lines/s' },
      { subject: 'Buffer.indexOf splitter', value: sockRuns.splitter, unit: 'lines/s' },
    ],
  };
  return [mem, sock];
};
