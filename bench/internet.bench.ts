/**
 * Torsion's TCP transport against raw `net`: echo throughput over loopback with 1 and 100 connections, and
 * memory per idle connection with 10,000 connections. Each server runs in its own child process (so its
 * memory is its own); the load generator is this process, the same raw `net` client for both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { opsPerSecond, type BenchCase } from './harness.js';
import { NodeReactor } from '../src/internet/reactor.js';

const SERVER = new URL('./support/internet-echo-server.ts', import.meta.url).pathname;
/** One echo measurement window; many short windows, alternated, beat a few long ones on a shared machine. */
const ECHO_SECONDS = 0.5;
/** Measurement rounds per subject and connection count; the median is reported. */
const ROUNDS = 7;
const IDLE_CONNECTIONS = 10_000;

interface Server {
  port: number;
  child: ChildProcess;
  ask(): Promise<{ bytes: number; connections: number }>;
  /** CPU microseconds the server has used so far. */
  cpu(): Promise<number>;
  stop(): void;
}

async function startServer(kind: 'torsion' | 'net'): Promise<Server> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SERVER, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  return {
    port,
    child,
    async ask() {
      child.stdin.write('mem\n');
      return JSON.parse((await lines.next()).value as string) as { bytes: number; connections: number };
    },
    async cpu() {
      child.stdin.write('cpu\n');
      return Number((await lines.next()).value);
    },
    stop: () => child.kill(),
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * Echo with `n` connections to a running server, each keeping 256 KiB in flight: MB/s, and MB echoed per
 * second of the server's CPU time. The second hardly depends on how much of the shared machine the server
 * got during the window, so it shows the transport's own cost.
 */
async function echoThroughput(server: Server, n: number): Promise<{ mbps: number; mbPerCpuSecond: number }> {
  const block = Buffer.alloc(64 * 1024, 0x78);
  const sockets = await Promise.all(Array.from({ length: n }, () => connect(server.port)));
  let received = 0;
  let counting = false;
  for (const s of sockets) {
    s.on('data', (d: Buffer) => {
      if (counting) received += d.length;
      s.write(block.subarray(0, Math.min(d.length, block.length)));
    });
    for (let i = 0; i < 4; i++) s.write(block);
  }
  await new Promise((r) => setTimeout(r, 150));
  const cpuBefore = await server.cpu();
  counting = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, ECHO_SECONDS * 1000));
  const seconds = (performance.now() - start) / 1000;
  counting = false;
  const cpuSeconds = ((await server.cpu()) - cpuBefore) / 1e6;
  for (const s of sockets) s.destroy();
  return { mbps: received / seconds / 1e6, mbPerCpuSecond: received / 1e6 / cpuSeconds };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Bytes of heap+external per idle connection on the server. */
async function idleMemory(kind: 'torsion' | 'net'): Promise<number> {
  const server = await startServer(kind);
  const sockets: net.Socket[] = [];
  try {
    const before = await server.ask();
    for (let i = 0; i < IDLE_CONNECTIONS; i += 500) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(500, IDLE_CONNECTIONS - i) }, () => connect(server.port)))));
    }
    let after = await server.ask();
    while (after.connections < IDLE_CONNECTIONS) {
      await new Promise((r) => setTimeout(r, 50));
      after = await server.ask();
    }
    return (after.bytes - before.bytes) / IDLE_CONNECTIONS;
  } finally {
    for (const s of sockets) s.destroy();
    server.stop();
  }
}

/** Idle-timeout resets per second over 10,000 pending timers: `DelayedCall.reset` vs Node's `timeout.refresh()`. */
async function timerResets(): Promise<BenchCase> {
  const reactor = new NodeReactor();
  const calls = Array.from({ length: 10_000 }, () => reactor.callLater(60, () => {}));
  const timers = Array.from({ length: 10_000 }, () => setTimeout(() => {}, 60_000));
  let i = 0;
  const ours = await opsPerSecond(() => {
    for (let k = 0; k < 1000; k++) calls[i++ % calls.length].reset(60);
  }, 1000, 0.5);
  const node = await opsPerSecond(() => {
    for (let k = 0; k < 1000; k++) timers[i++ % timers.length].refresh();
  }, 1000, 0.5);
  for (const c of calls) c.cancel();
  for (const t of timers) clearTimeout(t);
  return {
    name: 'idle-timeout resets (10,000 pending timers)',
    higherIsBetter: true,
    measurements: [
      { subject: 'torsion', value: ours, unit: 'resets/s' },
      { subject: 'setTimeout.refresh', value: node, unit: 'resets/s' },
    ],
  };
}

export default async (): Promise<BenchCase[]> => {
  const cases: BenchCase[] = [await timerResets()];
  // Both servers stay up. Rounds alternate between them in ABBA order (the one measured second in a round
  // goes first in the next), so load that comes and goes on the shared machine hits both alike; each
  // subject's median is reported, and the per-round ratios go to stderr to show the spread.
  const servers = { torsion: await startServer('torsion'), net: await startServer('net') };
  try {
    for (const n of [1, 100]) {
      const results: Record<'torsion' | 'net', { mbps: number; mbPerCpuSecond: number }[]> = { torsion: [], net: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['torsion', 'net'] as const) : (['net', 'torsion'] as const);
        for (const kind of order) results[kind].push(await echoThroughput(servers[kind], n));
      }
      const plural = n > 1 ? 's' : '';
      for (const metric of ['mbps', 'mbPerCpuSecond'] as const) {
        const ours = results.torsion.map((r) => r[metric]);
        const theirs = results.net.map((r) => r[metric]);
        const ratios = ours.map((t, i) => t / theirs[i]);
        console.error(`internet.bench: echo, ${n} connection${plural}, ${metric}, torsion/net per round: ${ratios.map((r) => r.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`);
        cases.push({
          name: metric === 'mbps' ? `TCP echo throughput, ${n} connection${plural} (median of ${ROUNDS})` : `TCP echo, ${n} connection${plural}: MB per server CPU-second (median of ${ROUNDS})`,
          higherIsBetter: true,
          goal: '>= 0.95x raw net',
          measurements: [
            { subject: 'torsion', value: median(ours), unit: metric === 'mbps' ? 'MB/s' : 'MB/CPU-s' },
            { subject: 'raw net', value: median(theirs), unit: metric === 'mbps' ? 'MB/s' : 'MB/CPU-s' },
          ],
        });
      }
    }
  } finally {
    servers.torsion.stop();
    servers.net.stop();
  }
  const torsionMem = await idleMemory('torsion');
  const rawMem = await idleMemory('net');
  cases.push({
    name: `memory per idle TCP connection (${IDLE_CONNECTIONS} connections, heap+external)`,
    higherIsBetter: false,
    goal: '<= 1.2x raw net',
    measurements: [
      { subject: 'torsion', value: torsionMem, unit: 'bytes' },
      { subject: 'raw net', value: rawMem, unit: 'bytes' },
    ],
  });
  return cases;
};
