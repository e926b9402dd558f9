/**
 * Room fan-out beyond one process: RECEIVERS clients in one room (real connections on 127.0.0.1), one
 * sender in a server process saying LINES lines at once; a run lasts until every client has every line.
 * Reported: deliveries per second (LINES x RECEIVERS over the wall time from the command to the last line
 * received) and the servers' CPU per 1,000 deliveries (utime + stime of every server process, redis-server
 * included, from /proc): on a shared machine the CPU is the steadier of the two.
 *
 * - Workers: `torsion/words` over IRC as one process, as 2 `node:cluster` workers on one port (joined
 *   through the primary's bus, as `torsion words --workers 2`), and as `auto` workers (one per CPU; on a
 *   2-core machine that is the 2 workers' setup, measured once and reported on both rows).
 * - The ceiling of these cores for a room split over two processes: two unjoined one-process servers, each
 *   with its own sender saying the lines to its own room and half the clients. Each handles every line for
 *   its half, as each worker must, with no bus between them: about what workers would reach if their bus
 *   cost nothing, with the clients on the same cores (each server stores every line; the workers, sharing
 *   one store as `torsion words --workers` does, store a line once, on the worker it was said on).
 * - Two nodes through one redis-server, the clients split evenly over them: `torsion/words` (each line
 *   numbered in its room with Redis and published; IRC clients) against Socket.IO with
 *   `@socket.io/redis-adapter` (WebSocket clients speaking the Engine.IO/Socket.IO framing). The same
 *   line text, sender pattern and counting on both.
 *
 * The clients are minimal on both sides (count received lines or frames, answer pings), the same program for
 * every subject: bench/scale/receivers.c, built here with the system C compiler (one epoll loop, large reads),
 * since on 2 cores the load generator takes CPU from the servers; without `cc`, Node sockets in this process
 * (and the table says so). Its CPU per delivery is reported too. The servers run bundled under plain `node`.
 *
 * The workers' subjects and the two nodes' are two groups, each set up, measured and torn down alone.
 *
 * For the workers, the CPU is also shown per process (the primary, the worker with the sender, the other
 * worker, the receivers; all share the machine's cores) with the budget the two workers have for 1.6 times
 * one process's rate: cores x one process's wall time / 1.6, less what the primary and the receivers use.
 *
 * Environment: SCALE_RECEIVERS (clients in the room, 200), SCALE_LINES (lines a run of the workers' group says,
 * 100000: at 2 workers a run of 20000 lasts under half a second, and its rounds scatter by a third),
 * SCALE_NODE_LINES (the same for the two nodes', 20000: Socket.IO's run of that lasts seconds), BENCH_ROUNDS (5);
 * SCALE_SUBJECTS, a comma list of one,two,split,auto,torsionRedis,socketIoRedis, runs only those and prints their
 * samples (deliveries/s and CPU ms per 1k deliveries, per process too, and the budget rows when both one and
 * two run) on stderr instead of the table: for A/B comparisons. SCALE_SCRIPT runs that bundled server script
 * (a `.tmp/bench-scale/fanout-node.mjs` kept from an earlier build) instead of building one: two builds
 * compared run by run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as net from 'node:net';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { buildCProgram, bundleServerScript } from './support/bundle.js';
import WebSocket from 'ws';
import { interleaved, ROUNDS, type BenchCase } from './harness.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';

const RECEIVERS = Number(process.env.SCALE_RECEIVERS ?? 200);
const LINES = Number(process.env.SCALE_LINES ?? 100_000);
const NODE_LINES = Number(process.env.SCALE_NODE_LINES ?? 20_000);
const AUTO = availableParallelism();
const TICKS = 100;

/** Bundles the node's server script (built JavaScript, see support/bundle.ts); returns its path. */
function buildNode(): Promise<string> {
  return bundleServerScript(new URL('./support/fanout-node.ts', import.meta.url).pathname, 'bench-scale', 'fanout-node.mjs');
}

interface Server {
  child: ChildProcess;
  port: number;
  pids: number[];
  send(lines: number): void;
}

async function startServer(script: string, kind: 'torsion' | 'socketio', via: string): Promise<Server> {
  const child = spawn(process.execPath, [script, kind, via], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => waiters.shift()?.(l));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const port = Number((await next()).split(' ')[1]);
  const pids = next();
  child.stdin!.write('pids\n');
  return { child, port, pids: JSON.parse(await pids) as number[], send: (lines) => void child.stdin!.write(`send ${lines}\n`) };
}

/**
 * CPU seconds used so far by `pid` and its threads: the scheduler's nanosecond count (`schedstat`, user and
 * kernel time) where the kernel keeps it, else utime + stime in clock ticks (10 ms: coarse for a run of a
 * fraction of a second).
 */
function cpuSeconds(pid: number): number {
  let seconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      seconds += taskCpuSeconds(`/proc/${pid}/task/${task}`);
    } catch {
      // The thread ended since the listing.
    }
  }
  return seconds;
}

function taskCpuSeconds(dir: string): number {
  if (existsSync(`${dir}/schedstat`)) return Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  const stat = readFileSync(`${dir}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** A client in the room that counts what it receives once counting starts. */
interface Receiver {
  count: number;
  close(): void;
}

/** An IRC client: registers, joins, then counts lines. */
function ircReceiver(port: number, nick: string): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const r: Receiver = { count: -1, close: () => socket.destroy() };
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      if (r.count >= 0) {
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) r.count++;
        return;
      }
      text += d.toString('latin1');
      if (text.includes(` 366 ${nick} `)) {
        r.count = 0;
        resolve(r);
      }
    });
    socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\nJOIN #bench\r\n`);
  });
}

/** A Socket.IO client over a bare WebSocket: Engine.IO open, namespace connect, pings answered, events counted. */
function socketIoReceiver(port: number): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const r: Receiver = { count: -1, close: () => ws.terminate() };
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const type = data[0];
      // Engine.IO: 0 open, 2 ping, 4 message; Socket.IO inside a message: 0 connect, 2 event.
      if (type === 0x34 && data[1] === 0x32) r.count++;
      else if (type === 0x32) ws.send('3');
      else if (type === 0x30) ws.send('40');
      else if (type === 0x34 && data[1] === 0x30) {
        r.count = 0;
        // The server joins the room on connection, before it answers the connect.
        resolve(r);
      }
    });
  });
}

/** The receivers of one setup. */
interface Receivers {
  /** Starts counting from zero; then `done` settles once each receiver counted `lines`. */
  go(lines: number): Promise<{ done: Promise<void> }>;
  /** CPU seconds the receivers used so far. */
  cpu(): number;
  close(): void;
}

/** `RECEIVERS` clients of the C program, spread evenly over `ports`. */
async function cReceivers(program: string, kind: 'torsion' | 'socketio', ports: number[], tag: string): Promise<Receivers> {
  const child = spawn(program, [kind === 'torsion' ? 'irc' : 'socketio', String(RECEIVERS), tag, ...ports.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => waiters.shift()?.(l));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`receivers exited with ${code}`))));
  exited.catch(() => undefined);
  await Promise.race([next(), exited]);
  return {
    go: async (lines) => {
      const counting = next();
      const done = next();
      child.stdin!.write(`go ${lines}\n`);
      await Promise.race([counting, exited]);
      return { done: Promise.race([done, exited]).then(() => undefined) };
    },
    cpu: () => cpuSeconds(child.pid!),
    close: () => child.kill('SIGKILL'),
  };
}

/** `RECEIVERS` Node clients in this process (no C compiler), spread evenly over `ports`. */
async function nodeReceivers(kind: 'torsion' | 'socketio', ports: number[], tag: string): Promise<Receivers> {
  const all = await connect(kind, ports, tag);
  return {
    go: async (lines) => {
      for (const r of all) r.count = 0;
      const done = (async () => {
        while (all.some((r) => r.count < lines)) await new Promise((r) => setImmediate(r));
      })();
      return { done };
    },
    cpu: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    },
    close: () => all.forEach((r) => r.close()),
  };
}

/** Connects `RECEIVERS` clients, spread evenly over `ports`. */
async function connect(kind: 'torsion' | 'socketio', ports: number[], tag: string): Promise<Receiver[]> {
  const out: Receiver[] = [];
  // A few at a time: a burst of hundreds of connects would only measure the accept queue.
  for (let i = 0; i < RECEIVERS; i += 20) {
    const batch = Array.from({ length: Math.min(20, RECEIVERS - i) }, (_, j) => {
      const port = ports[(i + j) % ports.length]!;
      return kind === 'torsion' ? ircReceiver(port, `${tag}${i + j}`) : socketIoReceiver(port);
    });
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

interface Setup {
  servers: Server[];
  /** Every server's sender says the lines (each to its own room), not only the first's. */
  everySends?: boolean;
  receivers: Receivers;
  /** Processes whose CPU counts (the servers', and redis-server's when used). */
  pids: number[];
}

/** One run's results; costs in ms per 1,000 deliveries. */
interface RunResult {
  /** Deliveries per second. */
  rate: number;
  /** Wall time per 1,000 deliveries. */
  wall: number;
  /** CPU of every process in `Setup.pids`, in that order. */
  parts: number[];
  /** Their sum. */
  cpu: number;
  /** The receivers' CPU. */
  clientCpu: number;
}

/** One run: the first server says `lines` lines, until every receiver has every line. */
async function run(setup: Setup, lines: number): Promise<RunResult> {
  // Let the joins' echoes and any pings settle before counting.
  await new Promise((r) => setTimeout(r, 100));
  const cpu0 = setup.pids.map(cpuSeconds);
  const client0 = setup.receivers.cpu();
  const { done } = await setup.receivers.go(lines);
  const start = performance.now();
  for (const server of setup.everySends === true ? setup.servers : setup.servers.slice(0, 1)) server.send(lines);
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('fan-out stalled for 120 s')), 120_000)));
  await Promise.race([done, stalled]).finally(() => clearTimeout(timer));
  const wall = performance.now() - start;
  const thousands = (lines * RECEIVERS) / 1000;
  const parts = setup.pids.map((p, i) => ((cpuSeconds(p) - cpu0[i]!) * 1000) / thousands);
  const clientCpu = ((setup.receivers.cpu() - client0) * 1000) / thousands;
  return { rate: (lines * RECEIVERS) / (wall / 1000), wall: wall / thousands, parts, cpu: parts.reduce((x, y) => x + y, 0), clientCpu };
}

async function setUp(script: string, receiversProgram: string | undefined, kind: 'torsion' | 'socketio', vias: string[], extraPids: number[], tag: string): Promise<Setup> {
  const servers: Server[] = [];
  for (const via of vias) servers.push(await startServer(script, kind, via));
  const ports = servers.map((s) => s.port);
  const receivers = receiversProgram !== undefined ? await cReceivers(receiversProgram, kind, ports, tag) : await nodeReceivers(kind, ports, tag);
  return { servers, receivers, pids: [...servers.flatMap((s) => s.pids), ...extraPids] };
}

function tearDown(setup: Setup | undefined): void {
  setup?.receivers.close();
  // Workers first: a worker whose primary is gone first fails its last messages to it, loudly.
  for (const s of setup?.servers ?? []) for (const pid of s.pids.slice(1)) process.kill(pid, 'SIGKILL');
  for (const s of setup?.servers ?? []) s.child.kill('SIGKILL');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Where the CPU of the workers' fan-out goes, per process, and what 1.6x one process's rate leaves the two
 * workers: in 1/1.6 of one process's wall time, `AUTO` cores give `AUTO` times that in CPU, of which the
 * primary and the receivers (on the same cores) take their share. A ratio of at least 1x on the last row
 * means the workers fit in it (the rate can then reach 1.6x if the cores are kept busy); under 1x, 1.6x is
 * out of reach at that cost, however the work is scheduled.
 */
function breakdown(results: Record<string, RunResult[]>): BenchCase[] {
  const one = results.one!;
  const two = results.two!;
  const unit = 'CPU ms/1k deliveries';
  const row = (subject: string, samples: number[], u = unit): BenchCase => ({
    name: 'room fan-out, workers: CPU per delivery by process',
    higherIsBetter: false,
    measurements: [{ subject, value: median(samples), unit: u, samples }],
  });
  const busy = (rs: RunResult[]): number[] => rs.map((r) => (r.cpu + r.clientCpu) / r.wall);
  const workers = two.map((r) => r.parts[1]! + r.parts[2]!);
  const budget = two.map((r, i) => (AUTO * one[i]!.wall) / 1.6 - r.parts[0]! - r.clientCpu);
  return [
    row('torsion 1 process: the server (its sender included)', one.map((r) => r.parts[0]!)),
    row('torsion 1 process: the receivers', one.map((r) => r.clientCpu)),
    row('torsion 1 process: wall time', one.map((r) => r.wall), 'ms/1k deliveries'),
    row('torsion 1 process: cores busy (CPU of server and receivers / wall)', busy(one), 'cores'),
    row('torsion 2 workers: the primary', two.map((r) => r.parts[0]!)),
    row('torsion 2 workers: the worker with the sender', two.map((r) => r.parts[1]!)),
    row('torsion 2 workers: the other worker', two.map((r) => r.parts[2]!)),
    row('torsion 2 workers: the receivers', two.map((r) => r.clientCpu)),
    row('torsion 2 workers: wall time', two.map((r) => r.wall), 'ms/1k deliveries'),
    row('torsion 2 workers: cores busy (CPU of primary, workers and receivers / wall)', busy(two), 'cores'),
    {
      name: `room fan-out, 2 workers: their CPU vs the budget for 1.6x one process (${AUTO} cores x one process's wall / 1.6, less the primary's and the receivers' CPU)`,
      higherIsBetter: false,
      goal: 'ratio >= 1x (fits the budget)',
      measurements: [
        { subject: 'torsion 2 workers: both workers', value: median(workers), unit, samples: workers },
        { subject: 'budget of the 2 workers for 1.6x', value: median(budget), unit, samples: budget },
      ],
    },
  ];
}

export default async function scaleBench(): Promise<BenchCase[]> {
  const script = process.env.SCALE_SCRIPT ?? (await buildNode());
  const receivers = buildCProgram(new URL('scale/receivers.c', import.meta.url).pathname, 'bench-scale', 'receivers');
  const redis = await startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
  });
  const url = `redis://127.0.0.1:${redis.port}/0`;
  const redisPid = redis.transport.pid!;
  const builders: Record<string, () => Promise<Setup>> = {
    one: () => setUp(script, receivers, 'torsion', ['none'], [], 'a'),
    two: () => setUp(script, receivers, 'torsion', ['workers:2'], [], 'b'),
    // The ceiling of a room split over two processes on these cores: two unjoined servers, each with its own
    // sender and half the clients, so every line is handled by both (as by both workers) with no bus at all.
    split: async () => ({ ...(await setUp(script, receivers, 'torsion', ['none', 'none'], [], 'f')), everySends: true }),
    auto: () => setUp(script, receivers, 'torsion', [`workers:${AUTO}`], [], 'c'),
    torsionRedis: () => setUp(script, receivers, 'torsion', [`redis:${url}`, `redis:${url}`], [redisPid], 'd'),
    socketIoRedis: () => setUp(script, receivers, 'socketio', [`redis:${url}`, `redis:${url}`], [redisPid], 'e'),
  };
  // Subjects compared with each other are measured together, and only they are up: on 2 cores, the idle
  // connections, timers and heartbeats of another group's servers take from a subject that needs both cores
  // (the workers) more than from one that needs one, and would skew the ratio within the group.
  const groups = [
    { names: ['one', 'two', 'split', ...(AUTO === 2 ? [] : ['auto'])], lines: LINES },
    { names: ['torsionRedis', 'socketIoRedis'], lines: NODE_LINES },
  ];
  const only = process.env.SCALE_SUBJECTS?.split(',');
  const results: Record<string, RunResult[]> = {};
  const rates: Record<string, number[]> = {};
  const setups: Record<string, Setup> = {};
  try {
    for (const { names: all, lines } of groups) {
      const names = all.filter((n) => only === undefined || only.includes(n));
      for (const n of names) setups[n] = await builders[n]!();
      // Two warm-up runs each (JIT in every process, buffers), then interleaved rounds.
      for (const n of names) for (let i = 0; i < 2; i++) await run(setups[n]!, lines / 2);
      for (const n of names) results[n] = [];
      const measured = await interleaved(names, async (n) => {
        const r = await run(setups[n]!, lines);
        results[n]!.push(r);
        return r.rate;
      });
      Object.assign(rates, measured);
      for (const n of names) {
        tearDown(setups[n]);
        delete setups[n];
      }
    }
    const cpu = (n: string): number[] => results[n]!.map((r) => r.cpu);
    const clientCpu = (n: string): number[] => results[n]!.map((r) => r.clientCpu);
    if (only !== undefined) {
      const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(' ');
      for (const n of Object.keys(results)) {
        const parts = results[n]![0]!.parts.map((_, i) => fmt(results[n]!.map((r) => r.parts[i]!))).join(' | ');
        console.error(`${n}: rate ${rates[n]!.map((x) => Math.round(x)).join(' ')} cpu ${fmt(cpu(n))} (by process: ${parts}) receivers ${fmt(clientCpu(n))}`);
      }
      for (const [a, b] of [['two', 'one'], ['split', 'one'], ['two', 'split']] as const) {
        if (rates[a] !== undefined && rates[b] !== undefined) console.error(`${a}/${b} by round: ${fmt(rates[a].map((x, i) => x / rates[b]![i]!))}`);
      }
      if (results.one !== undefined && results.two !== undefined) {
        for (const c of breakdown(results)) for (const m of c.measurements) console.error(`${m.subject}: ${m.value.toFixed(3)} ${m.unit} (${fmt(m.samples!)})`);
      }
      return [];
    }
    const rate = (subject: string, n: string) => ({ subject, value: median(rates[n]!), unit: 'deliveries/s', samples: rates[n]! });
    const cost = (subject: string, n: string) => ({ subject, value: median(cpu(n)), unit: 'CPU ms/1k deliveries', samples: cpu(n) });
    const clientCost = (subject: string, n: string) => ({ subject, value: median(clientCpu(n)), unit: 'CPU ms/1k deliveries', samples: clientCpu(n) });
    const client = receivers !== undefined ? 'C receivers' : 'Node receivers (no C compiler)';
    const what = `${RECEIVERS} clients (${client}), ${LINES} lines at once, ${ROUNDS} rounds`;
    const whatNodes = `${RECEIVERS} clients (${client}), ${NODE_LINES} lines at once, ${ROUNDS} rounds`;
    return [
      { name: `room fan-out, workers (${what}): 2 vs 1`, higherIsBetter: true, goal: '2 workers >= 1.6x one', measurements: [rate('torsion 2 workers', 'two'), rate('torsion 1 process', 'one')] },
      {
        name: `room fan-out, workers (${what}): auto (${AUTO}) vs 1`,
        higherIsBetter: true,
        measurements: [rate(AUTO === 2 ? 'torsion auto (2 workers here: the 2 workers above)' : `torsion auto (${AUTO} workers)`, AUTO === 2 ? 'two' : 'auto'), rate('torsion 1 process', 'one')],
      },
      {
        name: `room fan-out, the ceiling of ${AUTO} cores shared with the clients (${what}): a perfect split (2 unjoined processes, each its own sender and half the clients, no bus) vs 1`,
        higherIsBetter: true,
        measurements: [rate('torsion perfect split (2 processes)', 'split'), rate('torsion 1 process', 'one')],
      },
      { name: `room fan-out, workers (${what}): 2 workers vs the perfect split`, higherIsBetter: true, measurements: [rate('torsion 2 workers', 'two'), rate('torsion perfect split (2 processes)', 'split')] },
      { name: 'room fan-out, workers: server CPU per delivery', higherIsBetter: false, measurements: [cost('torsion 2 workers', 'two'), cost('torsion 1 process', 'one'), cost('torsion perfect split (2 processes)', 'split')] },
      ...breakdown(results),
      {
        name: `room fan-out: the load generator's CPU per delivery (${client})`,
        higherIsBetter: false,
        measurements: [clientCost('receivers of torsion 2 workers', 'two'), clientCost('receivers of torsion 1 process', 'one'), clientCost('receivers of torsion 2 nodes', 'torsionRedis'), clientCost('receivers of socket.io 2 nodes', 'socketIoRedis')],
      },
      {
        name: `room fan-out across 2 nodes via Redis (${whatNodes})`,
        higherIsBetter: true,
        goal: '>= 1x Socket.IO + redis-adapter',
        measurements: [rate('torsion 2 nodes (IRC)', 'torsionRedis'), rate('socket.io 2 nodes (redis-adapter)', 'socketIoRedis')],
      },
      {
        name: 'room fan-out across 2 nodes: server CPU per delivery (nodes + redis-server)',
        higherIsBetter: false,
        measurements: [cost('torsion 2 nodes (IRC)', 'torsionRedis'), cost('socket.io 2 nodes (redis-adapter)', 'socketIoRedis')],
      },
    ];
  } finally {
    for (const s of Object.values(setups)) tearDown(s);
    await redis.stop();
  }
}
