/**
 * C10K on one process: 10,000 concurrent WebSocket connections (Torsion against `ws`) and 10,000 idle HTTP
 * keep-alive connections (Torsion's Site against node:http), each server in its own process pinned to the
 * server core, the load generator (bench/c10k/client.ts) in another pinned to the load core. Reported: the
 * server's memory per connection (RSS, and JS heap, after a full GC), and the latency of a round trip on a
 * connection picked at random while all are connected (p50, p99 of `SAMPLES` sequential ones). Each case runs
 * `ROUNDS` interleaved rounds (ABBA), each with a fresh server; the runner shows the median and spread.
 *
 * Both processes need more than 10,000 file descriptors: they are started through `prlimit` with the hard
 * limit as the soft one (an unprivileged process cannot go beyond the hard limit; the case reports an error
 * saying so when it is too low).
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fromSamples, interleaved, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';

const CONNECTIONS = Number(process.env.BENCH_C10K ?? 10_000);
const SAMPLES = 2000;
/** Interleaved rounds per case (each opens all the connections again); `BENCH_C10K_ROUNDS` overrides. */
const ROUNDS = Number(process.env.BENCH_C10K_ROUNDS ?? 3);
const here = new URL('./c10k/', import.meta.url).pathname;

/** The file-descriptor limit a child can be given: the hard limit, which an unprivileged process cannot exceed. */
function hardFdLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? 1 << 20 : Number(out);
}

interface Mem {
  rss: number;
  heap: number;
  external: number;
  connections: number;
}

interface Server {
  child: ChildProcess;
  port: number;
  mem(): Promise<Mem>;
}

async function startServer(kind: string, fds: number): Promise<Server> {
  // `fork` cannot go through the prlimit command, so the running child's limit is raised instead.
  const child = fork(`${here}server.ts`, [kind], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  spawnSync('prlimit', [`--pid=${child.pid}`, `--nofile=${fds}:${fds}`]);
  pin(child.pid!, SERVER_CORE);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  return {
    child,
    port,
    mem: () =>
      new Promise((resolve) => {
        child.once('message', (m: Mem) => resolve(m));
        child.send({ cmd: 'mem' });
      }),
  };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

interface Result {
  rssPerConn: number;
  heapPerConn: number;
  p50: number;
  p99: number;
}

async function measure(kind: string, mode: 'ws' | 'http', fds: number): Promise<Result> {
  const server = await startServer(kind, fds);
  let client: ChildProcess | undefined;
  try {
    const before = await server.mem();
    const [cmd, args] = onLoadCore('prlimit', [`--nofile=${fds}:${fds}`, process.execPath, '--import', 'tsx', `${here}client.ts`, JSON.stringify({ mode, port: server.port, connections: CONNECTIONS, samples: SAMPLES })]);
    client = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<never>((_, reject) => client!.once('exit', (code) => reject(new Error(`c10k client exited with ${code}`))));
    const lines = createInterface({ input: client.stdout! })[Symbol.asyncIterator]();
    const next = async () => (await Promise.race([lines.next(), exited])).value as string;
    if ((await next()) !== 'ready') throw new Error('c10k client did not get ready');
    let after = await server.mem();
    for (let i = 0; i < 50 && after.connections < CONNECTIONS; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await server.mem();
    }
    client.stdin!.write('go\n');
    const lat = JSON.parse(await next()) as { p50: number; p99: number; errors: number };
    if (lat.errors > 0) throw new Error(`${kind}: ${lat.errors} client errors`);
    const still = await server.mem();
    if (still.connections < CONNECTIONS) throw new Error(`${kind}: only ${still.connections} of ${CONNECTIONS} connections still open`);
    return { rssPerConn: (after.rss - before.rss) / CONNECTIONS, heapPerConn: (after.heap - before.heap) / CONNECTIONS, p50: lat.p50, p99: lat.p99 };
  } finally {
    client?.stdin?.end();
    client?.kill();
    await stop(server);
  }
}

function cases(what: string, alt: string, ours: Result[], theirs: Result[]): BenchCase[] {
  const pair = (name: string, unit: string, pick: (r: Result) => number, goal?: string): BenchCase => ({
    name: `C10K ${what}, ${CONNECTIONS} connections: ${name}`,
    higherIsBetter: false,
    goal,
    measurements: [fromSamples('torsion', ours.map(pick), unit), fromSamples(alt, theirs.map(pick), unit)],
  });
  return [
    pair('RSS per connection', 'bytes', (r) => r.rssPerConn),
    pair('JS heap per connection', 'bytes', (r) => r.heapPerConn),
    pair('round trip p50 while all connected', 'ms', (r) => r.p50),
    pair('round trip p99 while all connected', 'ms', (r) => r.p99),
  ];
}

/** `kinds` measured in interleaved rounds (ABBA order), a fresh server and client each time. */
async function rounds<K extends string>(kinds: readonly K[], mode: 'ws' | 'http', fds: number): Promise<Record<K, Result[]>> {
  const out = Object.fromEntries(kinds.map((k) => [k, [] as Result[]])) as Record<K, Result[]>;
  await interleaved(kinds, async (k) => {
    const r = await measure(k, mode, fds);
    out[k].push(r);
    return r.p50;
  }, ROUNDS);
  return out;
}

export default async function (): Promise<BenchCase[]> {
  const fds = hardFdLimit();
  if (fds < CONNECTIONS + 200) throw new Error(`C10K needs more than ${CONNECTIONS + 200} file descriptors per process; the hard limit here is ${fds} and only root can raise it`);
  const ws = await rounds(['torsion-ws', 'ws'] as const, 'ws', fds);
  const http = await rounds(['torsion-http', 'node-http'] as const, 'http', fds);
  return [...cases('WebSocket', 'ws', ws['torsion-ws'], ws.ws), ...cases('idle HTTP keep-alive', 'node:http', http['torsion-http'], http['node-http'])];
}
