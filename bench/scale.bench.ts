/**
 * Room fan-out across nodes: one sender and RECEIVERS members of one room, on one `torsion/words` node
 * standing alone against the same members split over two nodes (two processes) joined through a real
 * redis-server (each line numbered with Redis INCR, published, and put in order on every node). Reports
 * deliveries per second (LINES sent at once; lines x members, until the last member has the last line), and
 * each delivery's latency from send to receive (p50, p99) with PACED lines one every PACE ms (so the latency
 * is the path's, not a queue's), in interleaved rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BenchCase } from './harness.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';

const RECEIVERS = 200;
const LINES = 1000;
const ROUNDS = 3;
const PACED = 200;
const PACE = 5;

interface Stats {
  deliveries: number;
  lastAt: number;
  p50: number;
  p99: number;
}

interface Node {
  child: ChildProcess;
  ask(line: string): Promise<string>;
  tell(line: string): void;
}

async function startNode(redis: string, receivers: number): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/words-node.ts', import.meta.url).pathname, redis, String(receivers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => waiters.shift()?.(l));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const ready = next();
  await ready;
  return {
    child,
    ask: (line) => {
      const answer = next();
      child.stdin!.write(`${line}\n`);
      return answer;
    },
    tell: (line) => void child.stdin!.write(`${line}\n`),
  };
}

/** Sends `command` to the first node; resolves once every member has all `lines` lines. */
async function run(nodes: Node[], command: string, lines: number): Promise<{ start: number; stats: Stats[] }> {
  for (const n of nodes) n.tell('reset');
  const start = performance.timeOrigin + performance.now();
  nodes[0].tell(command);
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const stats = await Promise.all(nodes.map(async (n) => JSON.parse(await n.ask('stats')) as Stats));
    if (stats.reduce((s, x) => s + x.deliveries, 0) >= lines * RECEIVERS) return { start, stats };
  }
}

/** One round: a flood for the rate, then paced lines for the latency (the worse node's percentiles). */
async function round(nodes: Node[]): Promise<{ rate: number; p50: number; p99: number }> {
  const flood = await run(nodes, `send ${LINES}`, LINES);
  const rate = (LINES * RECEIVERS) / ((Math.max(...flood.stats.map((s) => s.lastAt)) - flood.start) / 1000);
  const paced = await run(nodes, `pace ${PACED} ${PACE}`, PACED);
  return { rate, p50: Math.max(...paced.stats.map((s) => s.p50)), p99: Math.max(...paced.stats.map((s) => s.p99)) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function scaleBench(): Promise<BenchCase[]> {
  const redis = await startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
  });
  const url = `redis://127.0.0.1:${redis.port}/0`;
  const one = [await startNode('none', RECEIVERS)];
  const two = [await startNode(url, RECEIVERS / 2), await startNode(url, RECEIVERS / 2)];
  const results = { one: [] as Awaited<ReturnType<typeof round>>[], two: [] as Awaited<ReturnType<typeof round>>[] };
  try {
    await round(one);
    await round(two);
    for (let i = 0; i < ROUNDS; i++) {
      results.one.push(await round(one));
      results.two.push(await round(two));
    }
  } finally {
    for (const n of [...one, ...two]) n.child.kill('SIGKILL');
    await redis.stop();
  }
  const pick = (k: 'rate' | 'p50' | 'p99', which: 'one' | 'two') => results[which].map((r) => r[k]);
  const measure = (k: 'rate' | 'p50' | 'p99', unit: string) => [
    { subject: 'torsion 2 nodes via Redis', value: median(pick(k, 'two')), unit, samples: pick(k, 'two') },
    { subject: 'torsion 1 node', value: median(pick(k, 'one')), unit, samples: pick(k, 'one') },
  ];
  return [
    { name: `room fan-out, ${RECEIVERS} members, ${LINES} lines: deliveries/s`, higherIsBetter: true, measurements: measure('rate', 'deliveries/s') },
    { name: `room fan-out: latency p50 (a line every ${PACE} ms)`, higherIsBetter: false, measurements: measure('p50', 'ms') },
    { name: `room fan-out: latency p99 (a line every ${PACE} ms)`, higherIsBetter: false, measurements: measure('p99', 'ms') },
  ];
}
