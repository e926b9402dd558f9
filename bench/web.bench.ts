/**
 * torsion/web benchmarks: hello-world keep-alive (req/s, p99) with 50 connections, 16-deep pipelining,
 * memory per idle keep-alive connection, and a 100 MiB static file; Torsion's Site against a raw `net`
 * server writing a canned response (the ceiling for any HTTP server on Node), node:http and fastify.
 * Every server runs in its own process pinned to the server core; the load generator (wrk when installed,
 * else bench/web/loadgen.ts) runs pinned to the other core. Access logging is off for all.
 * Throughput cases keep every server up and measure them in interleaved rounds (harness `interleaved`).
 *
 * `BENCH_PROFILE=dir` starts the servers with `--cpu-prof --cpu-prof-dir=dir` (they exit cleanly, so the
 * profiles are written).
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromSamples, interleaved, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';

const here = new URL('./web/', import.meta.url).pathname;
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 50;
const PIPELINE = 16;
const profileDir = process.env.BENCH_PROFILE;

interface Server {
  child: ChildProcess;
  port: number;
}

async function startServer(kind: string, dir = ''): Promise<Server> {
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}.cpuprofile`] : [])];
  const child = fork(join(here, 'server.ts'), [kind, dir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pin(child.pid!, SERVER_CORE);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  return { child, port };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

function run(command: string, args: string[], onLine?: (line: string, child: ChildProcess) => void): Promise<string> {
  const [cmd, argv] = onLoadCore(command, args);
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (onLine && out.endsWith('\n')) onLine(out.trim(), child);
    });
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${command} exited with ${code}`))));
  });
}

function loadgen(options: Record<string, unknown>, onLine?: (line: string, child: ChildProcess) => void): Promise<string> {
  return run(process.execPath, ['--import', 'tsx', join(here, 'loadgen.ts'), JSON.stringify(options)], onLine);
}

/** wrk's latency figure (`1.23ms`, `850.00us`, `1.02s`) in milliseconds. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
}

let pipelineScript = '';

/**
 * CPU seconds (user + system, all threads) process `pid` has used, from /proc; NaN elsewhere. Requests per
 * server CPU-second hardly depend on how much of the shared machine the server got during a round, nor on
 * whether the load generator could saturate it, so they show the server's own cost per request.
 */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Round {
  rps: number;
  p99ms: number;
  requests: number;
}

/** Requests per second and p99 against `port`, keep-alive with CONNECTIONS connections, `pipeline` deep. */
async function hello(port: number, pipeline: number, seconds: number): Promise<Round> {
  if (!hasWrk) {
    const out = await loadgen({ port, connections: CONNECTIONS, pipeline, seconds, path: '/', warmup: 0.5 });
    return JSON.parse(out) as Round;
  }
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  if (pipeline > 1) args.push('-s', pipelineScript);
  const out = await run('wrk', [...args, `http://127.0.0.1:${port}/`]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99ms = wrkMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (!(rps > 0) || /Non-2xx|Socket errors/.test(out)) throw new Error(`wrk: ${out}`);
  return { rps, p99ms, requests };
}

interface Series {
  rps: number[];
  p99ms: number[];
  perCpu: number[];
}

async function throughput(kinds: string[], pipeline: number): Promise<Record<string, Series>> {
  const servers = new Map<string, Server>();
  try {
    for (const kind of kinds) servers.set(kind, await startServer(kind));
    for (const s of servers.values()) await hello(s.port, pipeline, 1); // warm-up: JIT, buffers
    const out: Record<string, Series> = {};
    for (const k of kinds) out[k] = { rps: [], p99ms: [], perCpu: [] };
    await interleaved(kinds, async (kind) => {
      const server = servers.get(kind)!;
      const cpu = cpuSeconds(server.child.pid!);
      const r = await hello(server.port, pipeline, SECONDS);
      out[kind].rps.push(r.rps);
      out[kind].p99ms.push(r.p99ms);
      out[kind].perCpu.push(r.requests / (cpuSeconds(server.child.pid!) - cpu));
      return r.rps;
    });
    return out;
  } finally {
    for (const s of servers.values()) await stop(s);
  }
}

function memory(server: Server): Promise<{ rss: number; heap: number; external: number }> {
  return new Promise((resolve) => {
    server.child.once('message', (m: { rss: number; heap: number; external: number }) => resolve(m));
    server.child.send({ cmd: 'mem' });
  });
}

async function idleMemory(kind: string, connections: number): Promise<number> {
  const server = await startServer(kind);
  try {
    await loadgen({ mode: 'idle', port: server.port, connections: 20, path: '/' }, (_l, c) => c.stdin!.end('x'));
    const before = await memory(server);
    let after = before;
    await loadgen({ mode: 'idle', port: server.port, connections, path: '/' }, (line, c) => {
      if (line === 'ready') {
        void memory(server).then((m) => {
          after = m;
          c.stdin!.end('x');
        });
      }
    });
    return (after.rss - before.rss) / connections;
  } finally {
    await stop(server);
  }
}

async function staticFile(kind: string, dir: string): Promise<number> {
  const server = await startServer(kind, dir);
  try {
    const out = await loadgen({ mode: 'download', port: server.port, connections: 1, path: '/files/big.bin', repeat: 5 });
    return (JSON.parse(out) as { mbps: number }).mbps;
  } finally {
    await stop(server);
  }
}

export default async function (): Promise<BenchCase[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'torsion-bench-'));
  pipelineScript = join(tmp, 'pipeline.lua');
  // wrk sends the 16 requests as one write and counts each response.
  writeFileSync(pipelineScript, `init = function(args)\n  local r = {}\n  for i = 1, ${PIPELINE} do r[i] = wrk.format(nil, "/") end\n  req = table.concat(r)\nend\nrequest = function() return req end\n`);
  try {
    const ka = await throughput(['torsion', 'net', 'node', 'fastify'], 1);
    const pl = await throughput(['torsion', 'net', 'node'], PIPELINE);
    const only = process.env.BENCH_ONLY === 'throughput';
    const mem = only ? null : { torsion: await idleMemory('torsion', 5000), net: await idleMemory('net', 5000), node: await idleMemory('node', 5000) };
    let st: { torsion: number; node: number } | null = null;
    if (!only) {
      writeFileSync(join(tmp, 'big.bin'), Buffer.alloc(100 * 1024 * 1024, 7));
      st = { torsion: await staticFile('torsion', tmp), node: await staticFile('node', tmp) };
    }
    const tool = hasWrk ? 'wrk' : 'loadgen';
    const cases: BenchCase[] = [
      {
        name: `web hello keep-alive, ${CONNECTIONS} conns (${tool})`,
        higherIsBetter: true,
        goal: '>= 0.9x raw net, >= 1.4x node:http',
        measurements: [
          fromSamples('torsion', ka.torsion.rps, 'req/s'),
          fromSamples('raw net canned', ka.net.rps, 'req/s'),
          fromSamples('node:http', ka.node.rps, 'req/s'),
          fromSamples('fastify', ka.fastify.rps, 'req/s'),
        ],
      },
      {
        name: `web hello p99 latency, ${CONNECTIONS} conns`,
        higherIsBetter: false,
        measurements: [
          fromSamples('torsion', ka.torsion.p99ms, 'ms'),
          fromSamples('raw net canned', ka.net.p99ms, 'ms'),
          fromSamples('node:http', ka.node.p99ms, 'ms'),
          fromSamples('fastify', ka.fastify.p99ms, 'ms'),
        ],
      },
      {
        name: `web hello keep-alive, ${CONNECTIONS} conns: requests per server CPU-second`,
        higherIsBetter: true,
        goal: '>= 0.9x raw net',
        measurements: [
          fromSamples('torsion', ka.torsion.perCpu, 'req/CPU-s'),
          fromSamples('raw net canned', ka.net.perCpu, 'req/CPU-s'),
          fromSamples('node:http', ka.node.perCpu, 'req/CPU-s'),
          fromSamples('fastify', ka.fastify.perCpu, 'req/CPU-s'),
        ],
      },
      {
        name: `web hello ${PIPELINE}-deep pipelining, ${CONNECTIONS} conns (${tool})`,
        higherIsBetter: true,
        goal: '>= 0.8x raw net, >= 4x node:http',
        measurements: [
          fromSamples('torsion', pl.torsion.rps, 'req/s'),
          fromSamples('raw net canned', pl.net.rps, 'req/s'),
          fromSamples('node:http', pl.node.rps, 'req/s'),
        ],
      },
      {
        name: `web hello ${PIPELINE}-deep pipelining, ${CONNECTIONS} conns: requests per server CPU-second`,
        higherIsBetter: true,
        goal: '>= 0.8x raw net',
        measurements: [
          fromSamples('torsion', pl.torsion.perCpu, 'req/CPU-s'),
          fromSamples('raw net canned', pl.net.perCpu, 'req/CPU-s'),
          fromSamples('node:http', pl.node.perCpu, 'req/CPU-s'),
        ],
      },
    ];
    if (mem && st) {
      cases.push(
        {
          name: 'web memory per idle keep-alive conn (RSS, 5,000 conns)',
          higherIsBetter: false,
          goal: '<= 0.6x node:http',
          measurements: [
            { subject: 'torsion', value: mem.torsion, unit: 'bytes' },
            { subject: 'raw net canned', value: mem.net, unit: 'bytes' },
            { subject: 'node:http', value: mem.node, unit: 'bytes' },
          ],
        },
        {
          name: 'web static 100 MiB file',
          higherIsBetter: true,
          goal: '>= 1x node:http+createReadStream',
          measurements: [
            { subject: 'torsion', value: st.torsion, unit: 'MiB/s' },
            { subject: 'node:http', value: st.node, unit: 'MiB/s' },
          ],
        },
      );
    }
    return cases;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
