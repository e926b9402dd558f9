/**
 * C10K on one process: 10,000 concurrent WebSocket connections (Torsion against `ws`) and 10,000 idle HTTP
 * keep-alive connections (Torsion's Site against node:http), each server in its own process pinned to the
 * server core, the load generator (bench/c10k/client.ts) in another pinned to the load core. Reported: the
 * server's memory per connection (RSS, and JS heap, after a full GC), and the latency of a round trip on a
 * connection picked at random while all are connected (p50, p99 of `SAMPLES` sequential ones). Each case runs
 * `ROUNDS` interleaved rounds (ABBA), each with a fresh server; the runner shows the median and spread.
 *
 * Then the hardening budgets under that load (`liveChecks`): 10,000 live pages held by one client process, a
 * server with the hardening defaults (the per-address limits raised, since every page comes from 127.0.0.1:
 * printed with the reasons), and meanwhile pages that break a budget: 4 sending out-of-order frames of 250
 * KiB (over the 4 MiB page budget) and 4 that stop reading (the 20 s stall limit). The bench prints and
 * reports each check (dropped? the normal pages still all connected and answering? the process budget and
 * RSS bounded?) and marks a failed one FAILED; figures, not timings, decide them. The RSS the attacks add is
 * their peak over the load alone's peak in a window as long, each from just after a full GC. `BENCH_C10K_CASES=live`
 * (or `ws,http`) runs only those.
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

/** What `torsion-live` adds to `mem` (see c10k/live-server.ts). */
interface LiveMem extends Mem {
  budgetUsed: number;
  budgetLimit: number;
  peakRss: number;
  peakHeap: number;
  peakExternal: number;
  peakBudget: number;
  raised: Record<string, { value: number; why: string }>;
}

interface Server {
  kind: string;
  child: ChildProcess;
  port: number;
  mem(): Promise<Mem>;
}

async function startServer(kind: string, fds: number, args: string[] = []): Promise<Server> {
  // `fork` cannot go through the prlimit command, so the running child's limit is raised instead.
  const child = fork(`${here}server.ts`, [kind, ...args], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  spawnSync('prlimit', [`--pid=${child.pid}`, `--nofile=${fds}:${fds}`]);
  pin(child.pid!, SERVER_CORE);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  return {
    kind,
    child,
    port,
    mem: () => ask(child, 'mem') as Promise<Mem>,
  };
}

/** Sends `cmd` to a server child and waits for its answer. */
function ask(child: ChildProcess, cmd: string): Promise<unknown> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send({ cmd });
  });
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
  try {
    return await withClient(server, mode, fds, async () => undefined);
  } finally {
    await stop(server);
  }
}

/**
 * Opens the client's connections to `server`, then measures round trips while all are open, then runs
 * `during` (still all open) before closing the client.
 */
async function withClient(server: Server, mode: 'ws' | 'http' | 'live', fds: number, during: () => Promise<void>): Promise<Result> {
  const kind = server.kind;
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
    await during();
    return { rssPerConn: (after.rss - before.rss) / CONNECTIONS, heapPerConn: (after.heap - before.heap) / CONNECTIONS, p50: lat.p50, p99: lat.p99 };
  } finally {
    client?.stdin?.end();
    client?.kill();
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
  const wanted = (process.env.BENCH_C10K_CASES ?? 'ws,http,live').split(',');
  const out: BenchCase[] = [];
  if (wanted.includes('ws')) {
    const ws = await rounds(['torsion-ws', 'ws'] as const, 'ws', fds);
    out.push(...cases('WebSocket', 'ws', ws['torsion-ws'], ws.ws));
  }
  if (wanted.includes('http')) {
    const http = await rounds(['torsion-http', 'node-http'] as const, 'http', fds);
    out.push(...cases('idle HTTP keep-alive', 'node:http', http['torsion-http'], http['node-http']));
  }
  if (wanted.includes('live')) out.push(...(await liveChecks(fds)));
  return out;
}

const ATTACKERS = 4;
/** Milliseconds of load alone before the attacks, to warm up and then to measure its own peak RSS. */
const LOAD_WINDOW = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The most a check waits for a stalled page to be dropped: the 20 s stall limit, its 5 s heartbeat step, and room for load. */
const STALL_WAIT = 60;

/** Runs the attacking pages of src/live/test-support/attackers.ts; resolves with its first output line. */
function attackers(port: number, kind: 'out-of-order' | 'stalled'): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ['--conditions', 'torsion-source', '--import', 'tsx', new URL('../src/live/test-support/attackers.ts', import.meta.url).pathname, String(port), kind, String(ATTACKERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((r) => String(r.value));
  return { child, line };
}

/**
 * 10,000 live pages, then pages that break the hardening budgets while they are held: each check is a case of
 * its own, named OK or FAILED, with the figure it was decided on.
 */
async function liveChecks(fds: number): Promise<BenchCase[]> {
  const server = await startServer('torsion-live', fds, [String(CONNECTIONS)]);
  const checks: BenchCase[] = [];
  const check = (what: string, ok: boolean, value: number, unit: string, goal: string): void => {
    const verdict = ok ? 'OK' : 'FAILED';
    console.error(`C10K live check ${verdict}: ${what}: ${value} ${unit} (${goal})`);
    checks.push({ name: `C10K live budgets, ${CONNECTIONS} pages held: ${what}: ${verdict}`, higherIsBetter: false, goal, measurements: [{ subject: 'torsion', value, unit }] });
  };
  const mem = () => server.mem() as Promise<LiveMem>;
  try {
    const start = await mem();
    for (const [name, { value, why }] of Object.entries(start.raised)) console.error(`C10K live: ${name} raised to ${value}: ${why}`);
    console.error('C10K live: every other limit is its default (DEFAULT_LIVE_LIMITS: 4 MiB a page, 256 MiB the process, 20 s stall)');
    const result = await withClient(server, 'live', fds, async () => {
      // The peak RSS of the load alone (a broadcast a second to every page, and its garbage), once it is
      // steady, so that what the attackers add is told apart from it.
      await ask(server.child, 'tick');
      await sleep(LOAD_WINDOW);
      await ask(server.child, 'reset');
      await sleep(LOAD_WINDOW);
      const load = await mem();
      await ask(server.child, 'reset');
      await ask(server.child, 'mark');
      const attackStart = performance.now();
      const ooo = attackers(server.port, 'out-of-order');
      const stalled = attackers(server.port, 'stalled');
      try {
        const dropped = JSON.parse(await ooo.line) as { sent: number; closed: boolean }[];
        if ((await stalled.line) !== '"ready"') throw new Error('the stalled pages did not start');
        type Extra = { connectedAt: number | null; lostAt: number | null; goneAt: number | null };
        let extras: Extra[] = [];
        for (let waited = 0; waited < STALL_WAIT; waited++) {
          extras = (await ask(server.child, 'extras')) as Extra[];
          if (extras.length >= 2 * ATTACKERS && extras.every((e) => e.lostAt !== null)) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const after = await mem();
        const attackSeconds = (performance.now() - attackStart) / 1000;
        const broadcast = (await ask(server.child, 'broadcast')) as { pages: number; acknowledged: number };
        ooo.child.kill();
        stalled.child.stdin!.end();
        stalled.child.kill();
        // The load alone again, for as long as the attacks lasted and from the same start (just after a full
        // GC): its garbage piles up in the old generation until V8's next full collection, which under this
        // load comes tens of seconds apart, so a peak over 5 s is not one over 40 s.
        await ask(server.child, 'reset');
        await sleep(attackSeconds * 1000);
        const alone = await mem();
        const closed = dropped.filter((d) => d.closed).length;
        check(`pages sending out-of-order frames of 250 KiB are dropped at their 4 MiB budget (${closed} of ${ATTACKERS} dropped)`, closed === ATTACKERS, Math.max(...dropped.map((d) => d.sent)), 'frames sent at most', 'each dropped, far before its 1,000 frames');
        const gone = extras.filter((e) => e.goneAt !== null);
        const lost = extras.filter((e) => e.goneAt === null);
        const stallSeconds = Math.max(...lost.map((e) => (e.lostAt ?? Infinity) - (e.connectedAt ?? 0)));
        check(`pages that stop reading lose their connection (${lost.filter((e) => e.lostAt !== null).length} of ${lost.length})`, lost.length === ATTACKERS && Number.isFinite(stallSeconds), Number(stallSeconds.toFixed(1)), 's after connecting, at most', `stallTimeout 20 s (+ its 5 s check step), within ${STALL_WAIT} s`);
        check(`the over-budget pages are gone for good (${gone.length})`, gone.length === ATTACKERS, gone.length, 'pages', `${ATTACKERS}`);
        check('the process budget holds', after.peakBudget <= after.budgetLimit, after.peakBudget, 'bytes at peak', `<= ${after.budgetLimit}`);
        const growth = (after.peakRss - alone.peakRss) / 2 ** 20;
        const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
        console.error(`C10K live: peaks under the load alone for ${LOAD_WINDOW / 1000} s / with the attacks for ${attackSeconds.toFixed(0)} s / the load alone again for as long: RSS ${mb(load.peakRss)} / ${mb(after.peakRss)} / ${mb(alone.peakRss)}, JS heap ${mb(load.peakHeap)} / ${mb(after.peakHeap)} / ${mb(alone.peakHeap)}, external ${mb(load.peakExternal)} / ${mb(after.peakExternal)} / ${mb(alone.peakExternal)}; after a full GC, heap ${mb(load.heap)} / ${mb(after.heap)} / ${mb(alone.heap)}`);
        check('the JS heap after the attacks, after a full GC, is back near the load alone', after.heap - load.heap < 32 * 2 ** 20, Number(((after.heap - load.heap) / 2 ** 20).toFixed(1)), 'MB more', 'under 32 MB: the attackers hold nothing once dropped');
        check(`peak RSS during the attacks over the load's own peak in as long a time (${mb(alone.peakRss)}) stays bounded`, growth < 100, Number(growth.toFixed(1)), 'MB at peak', 'well under 100 MB (the hardening goal for 4 such attackers)');
        check(`the ${CONNECTIONS} normal pages stay connected`, after.connections === CONNECTIONS, after.connections, 'pages', `${CONNECTIONS}`);
        check('a broadcast to every normal page is acknowledged by all', broadcast.acknowledged === CONNECTIONS, broadcast.acknowledged, 'pages', `${CONNECTIONS}`);
      } finally {
        ooo.child.kill();
        stalled.child.stdin!.end();
        stalled.child.kill();
      }
    });
    const one = (name: string, unit: string, value: number): BenchCase => ({ name: `C10K live pages, ${CONNECTIONS} pages: ${name}`, higherIsBetter: false, measurements: [{ subject: 'torsion', value, unit }] });
    return [one('RSS per page', 'bytes', result.rssPerConn), one('JS heap per page', 'bytes', result.heapPerConn), one('callRemote round trip p50 while all connected', 'ms', result.p50), one('callRemote round trip p99 while all connected', 'ms', result.p99), ...checks];
  } finally {
    await stop(server);
  }
}
