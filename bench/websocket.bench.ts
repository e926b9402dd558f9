/**
 * WebSocket echo of 32-byte text messages. Each server (Torsion's, the `ws` package's) runs in its own child
 * process pinned to the server core; the clients run in this process, pinned to the load core.
 * - sequential: one message in flight, Torsion's client and server against `ws`'s client and server;
 * - flood: a `ws` client (the same client for both servers) sends 200,000 messages back to back, then waits
 *   for every echo: messages per second, and messages per server CPU-second (which hardly depends on how
 *   much of the shared machine the server got);
 * - pipelined: 1,000 in flight, each side's own client (kept for continuity with earlier results).
 * Rounds alternate between the subjects (harness `interleaved`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { fromSamples, interleaved, LOAD_CORE, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { connectWebSocket, WebSocketProtocol } from '../src/web/websocket/index.js';

const SERVER = new URL('./support/websocket-echo-server.ts', import.meta.url).pathname;
const SECONDS = 1;
const IN_FLIGHT = 1000;
const FLOOD = Number(process.env.BENCH_WS_FLOOD ?? 200_000);
const MESSAGE = 'x'.repeat(32);

interface Server {
  port: number;
  child: ChildProcess;
}

async function startServer(kind: 'torsion' | 'ws'): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** A client that, given a batch size, sends that many messages and resolves when all came back. */
interface EchoClient {
  round(batch: number): Promise<void>;
  close(): void;
}

class TorsionEcho extends WebSocketProtocol {
  pending = 0;
  done: (() => void) | null = null;
  batch = 0;
  override textMessageReceived(): void {
    if (--this.pending > 0) {
      if (this.batch === 1) this.transport.sendTextMessage(MESSAGE);
      return;
    }
    this.done?.();
  }
}

async function torsionClient(port: number): Promise<EchoClient> {
  const p = await connectWebSocket(`ws://127.0.0.1:${port}/echo`, new TorsionEcho(), { pingInterval: 0 });
  return {
    round(batch) {
      return new Promise((resolve) => {
        p.done = resolve;
        p.batch = batch;
        if (batch === 1) {
          p.pending = 200; // 200 sequential round trips per call
          p.transport.sendTextMessage(MESSAGE);
        } else {
          p.pending = batch;
          for (let i = 0; i < batch; i++) p.transport.sendTextMessage(MESSAGE);
        }
      });
    },
    close: () => p.transport.loseConnection(),
  };
}

async function wsClient(port: number): Promise<EchoClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  let pending = 0;
  let batch = 0;
  let done: (() => void) | null = null;
  ws.on('message', () => {
    if (--pending > 0) {
      if (batch === 1) ws.send(MESSAGE);
      return;
    }
    done?.();
  });
  return {
    round(n) {
      return new Promise((resolve) => {
        done = resolve;
        batch = n;
        if (n === 1) {
          pending = 200;
          ws.send(MESSAGE);
        } else {
          pending = n;
          for (let i = 0; i < n; i++) ws.send(MESSAGE);
        }
      });
    },
    close: () => ws.close(),
  };
}

/** Messages echoed per second over about SECONDS. */
async function rate(client: EchoClient, batch: number): Promise<number> {
  const perRound = batch === 1 ? 200 : batch;
  const warm = performance.now() + 200;
  while (performance.now() < warm) await client.round(batch);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await client.round(batch);
    n += perRound;
  }
  return n / ((performance.now() - start) / 1000);
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
  const servers = { torsion: await startServer('torsion'), ws: await startServer('ws') };
  const cases: BenchCase[] = [];
  try {
    const own = { torsion: await torsionClient(servers.torsion.port), ws: await wsClient(servers.ws.port) };
    const viaWs = { torsion: await wsClient(servers.torsion.port), ws: await wsClient(servers.ws.port) };
    const kinds = ['torsion', 'ws'] as const;

    const seq = await interleaved(kinds, (k) => rate(own[k], 1));
    cases.push({
      name: 'WebSocket echo, 32-byte messages, sequential (server+client)',
      higherIsBetter: true,
      goal: '>= 1.2x ws',
      measurements: [fromSamples('torsion', seq.torsion, 'msg/s'), fromSamples('ws', seq.ws, 'msg/s')],
    });

    for (const k of kinds) await viaWs[k].round(FLOOD / 10); // warm-up
    const perCpu: Record<string, number[]> = { torsion: [], ws: [] };
    const fl = await interleaved(kinds, async (k) => {
      const r = await flood(viaWs[k], servers[k]);
      perCpu[k].push(r.perCpu);
      return r.rate;
    });
    cases.push(
      {
        name: `WebSocket flood: ${FLOOD} 32-byte messages back to back from a ws client, echoed (server only)`,
        higherIsBetter: true,
        goal: '>= 2x ws',
        measurements: [fromSamples('torsion', fl.torsion, 'msg/s'), fromSamples('ws server', fl.ws, 'msg/s')],
      },
      {
        name: 'WebSocket flood: messages per server CPU-second',
        higherIsBetter: true,
        goal: '>= 2x ws',
        measurements: [fromSamples('torsion', perCpu.torsion, 'msg/CPU-s'), fromSamples('ws server', perCpu.ws, 'msg/CPU-s')],
      },
    );

    const pl = await interleaved(kinds, (k) => rate(own[k], IN_FLIGHT));
    cases.push({
      name: `WebSocket echo, 32-byte messages, pipelined (${IN_FLIGHT} in flight) (server+client)`,
      higherIsBetter: true,
      goal: '>= 1.2x ws',
      measurements: [fromSamples('torsion', pl.torsion, 'msg/s'), fromSamples('ws', pl.ws, 'msg/s')],
    });
    for (const c of [...Object.values(own), ...Object.values(viaWs)]) c.close();
  } finally {
    await stop(servers.torsion);
    await stop(servers.ws);
  }
  return cases;
};
