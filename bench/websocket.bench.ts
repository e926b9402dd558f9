/**
 * WebSocket echo of 32-byte text messages. Each server (Torsion's, the `ws` package's) runs in its own child
 * process pinned to the server core; the clients run in this process, pinned to the load core.
 * - sequential: one message in flight, Torsion's client and server against `ws`'s client and server;
 * - flood: a `ws` client (the same client for both servers) sends 200,000 messages back to back, then waits
 *   for every echo: messages per second, and messages per server CPU-second (which hardly depends on how
 *   much of the shared machine the server got);
 * - pipelined: 1,000 in flight, each side's own client (kept for continuity with earlier results).
 * Rounds alternate between the subjects (harness `interleaved`).
 *
 * Two floors show what the machine allows, as extra subjects of the sequential and flood cases:
 * - node floor: the least a Node program can do (bench/support/websocket-echo-server.ts `floor`, and a bare
 *   `net` client here), no checks, one write per read;
 * - C floor: bench/websocket/floor.c (one epoll loop, a blocking client), built here with the system C
 *   compiler; left out without a working `cc`.
 * The sequential case also prints the CPU both processes spend per round trip (client plus server), which
 * unlike the rate hardly depends on what else runs on the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { fromSamples, interleaved, LOAD_CORE, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { connectWebSocket, WebSocketProtocol } from '../src/web/websocket/index.js';
import { buildCProgram } from './support/bundle.js';

const SERVER = new URL('./support/websocket-echo-server.ts', import.meta.url).pathname;
const SECONDS = 1;
const IN_FLIGHT = 1000;
const FLOOD = Number(process.env.BENCH_WS_FLOOD ?? 200_000);
const MESSAGE = 'x'.repeat(32);

interface Server {
  port: number;
  child: ChildProcess;
}

type Kind = 'torsion' | 'ws' | 'node floor' | 'C floor';

async function startServer(kind: Kind, floor?: string): Promise<Server> {
  const [command, args] = kind === 'C floor' ? [floor!, ['server']] : [process.execPath, ['--import', 'tsx', SERVER, kind === 'node floor' ? 'floor' : kind]];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  pin(child.pid!, SERVER_CORE);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { port: Number((await lines.next()).value), child };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

/** CPU seconds process `pid` has used (all threads), from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The echo of one round trip, and the CPU both ends spent on it. */
interface SequentialResult {
  rate: number;
  /** Client plus server CPU per round trip, microseconds. */
  cpuMicros: number;
}

/** A client that, given a batch size, sends that many messages and resolves when all came back. */
interface EchoClient {
  round(batch: number): Promise<void>;
  close(): void;
}

/** 200 sequential round trips per `round(1)` call. */
const SEQUENTIAL = 200;

/**
 * The rounds every client runs, whatever sends its messages: `send` sends one; `echoed` is called once per
 * echo. A batch of 1 is SEQUENTIAL round trips one at a time; a larger batch goes out all at once.
 */
function echoRounds(send: () => void, close: () => void): EchoClient & { echoed(): void } {
  let pending = 0;
  let batch = 0;
  let done: (() => void) | null = null;
  return {
    echoed() {
      if (--pending > 0) {
        if (batch === 1) send();
        return;
      }
      done?.();
    },
    round(n) {
      return new Promise((resolve) => {
        done = resolve;
        batch = n;
        pending = n === 1 ? SEQUENTIAL : n;
        for (let i = 0; i < (n === 1 ? 1 : n); i++) send();
      });
    },
    close,
  };
}

class TorsionEcho extends WebSocketProtocol {
  echoed = (): void => {};
  override textMessageReceived(): void {
    this.echoed();
  }
}

async function torsionClient(port: number): Promise<EchoClient> {
  const p = await connectWebSocket(`ws://127.0.0.1:${port}/echo`, new TorsionEcho(), { pingInterval: 0 });
  const client = echoRounds(() => p.transport.sendTextMessage(MESSAGE), () => p.transport.loseConnection());
  p.echoed = client.echoed;
  return client;
}

async function wsClient(port: number): Promise<EchoClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const client = echoRounds(() => ws.send(MESSAGE), () => ws.close());
  ws.on('message', client.echoed);
  return client;
}

/** The node floor's client: a bare `net` socket, the handshake, then prebuilt masked 32-byte frames; echoes are counted by length. */
async function floorClient(port: number): Promise<EchoClient> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  socket.write(`GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let head = '';
  while (!head.includes('\r\n\r\n')) head += String((await once(socket, 'data'))[0]);
  const key = [0x12, 0x34, 0x56, 0x78];
  const frame = Buffer.from([0x81, 0x80 | 32, ...key, ...Buffer.from(MESSAGE).map((b, i) => b ^ key[i & 3]!)]);
  const ECHO = 34;
  const client = echoRounds(() => socket.write(frame), () => socket.destroy());
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (; bytes >= ECHO; bytes -= ECHO) client.echoed();
  });
  return client;
}

/** This process's CPU seconds (the in-process clients). */
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Messages echoed per second over about SECONDS, and (for one in flight) the CPU per round trip of client and server. */
async function rate(client: EchoClient, batch: number, server?: Server): Promise<SequentialResult> {
  const perRound = batch === 1 ? SEQUENTIAL : batch;
  const warm = performance.now() + 200;
  while (performance.now() < warm) await client.round(batch);
  let n = 0;
  const cpu = ownCpuSeconds() + (server ? cpuSeconds(server.child.pid!) : 0);
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await client.round(batch);
    n += perRound;
  }
  const seconds = (performance.now() - start) / 1000;
  const spent = ownCpuSeconds() + (server ? cpuSeconds(server.child.pid!) : 0) - cpu;
  return { rate: n / seconds, cpuMicros: (spent * 1e6) / n };
}

/** The C floor's client against `server`, in its own process on the load core. */
async function cRate(floor: string, server: Server): Promise<SequentialResult> {
  const cpu = cpuSeconds(server.child.pid!);
  const [command, args] = onLoadCore(floor, ['client', String(server.port), String(SECONDS)]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  await once(child, 'exit');
  const [perSecond, clientMicros, count] = out.trim().split(' ').map(Number) as [number, number, number];
  const serverMicros = ((cpuSeconds(server.child.pid!) - cpu) * 1e6) / count;
  return { rate: perSecond, cpuMicros: clientMicros + serverMicros };
}

/** The flood: FLOOD messages from a `ws` client as fast as it can send them, then every echo back. */
async function flood(client: EchoClient, server: Server): Promise<{ rate: number; perCpu: number }> {
  const cpu = cpuSeconds(server.child.pid!);
  const start = performance.now();
  await client.round(FLOOD);
  const seconds = (performance.now() - start) / 1000;
  return { rate: FLOOD / seconds, perCpu: FLOOD / (cpuSeconds(server.child.pid!) - cpu) };
}

export default async (): Promise<BenchCase[]> => {
  pin(process.pid, LOAD_CORE);
  const floor = buildCProgram(new URL('websocket/floor.c', import.meta.url).pathname, 'bench-websocket', 'floor');
  if (floor === undefined) console.error('websocket: no working `cc`; the C floor is left out');
  const kinds: Kind[] = floor === undefined ? ['torsion', 'ws', 'node floor'] : ['torsion', 'ws', 'node floor', 'C floor'];
  const servers = {} as Record<Kind, Server>;
  for (const k of kinds) servers[k] = await startServer(k, floor);
  const cases: BenchCase[] = [];
  const clients: EchoClient[] = [];
  try {
    const own: Partial<Record<Kind, EchoClient>> = { torsion: await torsionClient(servers.torsion.port), ws: await wsClient(servers.ws.port), 'node floor': await floorClient(servers['node floor'].port) };
    const viaWs = {} as Record<Kind, EchoClient>;
    for (const k of kinds) viaWs[k] = await wsClient(servers[k].port);
    clients.push(...Object.values(own), ...Object.values(viaWs));

    const seqCpu = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    const seq = await interleaved(kinds, async (k) => {
      const r = k === 'C floor' ? await cRate(floor!, servers[k]) : await rate(own[k]!, 1, servers[k]);
      seqCpu[k].push(r.cpuMicros);
      return r.rate;
    });
    cases.push(
      {
        name: 'WebSocket echo, 32-byte messages, sequential (server+client)',
        higherIsBetter: true,
        goal: '>= 1.2x ws',
        measurements: kinds.map((k) => fromSamples(k, seq[k], 'msg/s')),
      },
      {
        name: 'WebSocket echo, sequential: client+server CPU per round trip',
        higherIsBetter: false,
        measurements: kinds.map((k) => fromSamples(k, seqCpu[k], 'µs')),
      },
    );

    for (const k of kinds) await viaWs[k].round(FLOOD / 10); // warm-up
    const perCpu = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    const fl = await interleaved(kinds, async (k) => {
      const r = await flood(viaWs[k], servers[k]);
      perCpu[k].push(r.perCpu);
      return r.rate;
    });
    const serverName = (k: Kind): string => (k === 'ws' ? 'ws server' : k);
    cases.push(
      {
        name: `WebSocket flood: ${FLOOD} 32-byte messages back to back from a ws client, echoed (server only)`,
        higherIsBetter: true,
        goal: '>= 2x ws',
        measurements: kinds.map((k) => fromSamples(serverName(k), fl[k], 'msg/s')),
      },
      {
        name: 'WebSocket flood: messages per server CPU-second',
        higherIsBetter: true,
        goal: '>= 2x ws',
        measurements: kinds.map((k) => fromSamples(serverName(k), perCpu[k], 'msg/CPU-s')),
      },
    );

    const both = ['torsion', 'ws'] as const;
    const pl = await interleaved(both, async (k) => (await rate(own[k]!, IN_FLIGHT)).rate);
    cases.push({
      name: `WebSocket echo, 32-byte messages, pipelined (${IN_FLIGHT} in flight) (server+client)`,
      higherIsBetter: true,
      goal: '>= 1.2x ws',
      measurements: [fromSamples('torsion', pl.torsion, 'msg/s'), fromSamples('ws', pl.ws, 'msg/s')],
    });
  } finally {
    for (const c of clients) c.close();
    for (const k of kinds) if (servers[k] !== undefined) await stop(servers[k]);
  }
  return cases;
};
