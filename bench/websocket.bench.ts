/**
 * WebSocket echo of 32-byte text messages: Torsion's client and server against the `ws` package's client
 * and server, sequential (one message in flight) and pipelined (1000 in flight). Each server runs in its
 * own child process; the client is this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { BenchCase } from './harness.js';
import { connectWebSocket, WebSocketProtocol } from '../src/web/websocket/index.js';

const SERVER = new URL('./support/websocket-echo-server.ts', import.meta.url).pathname;
const SECONDS = 1;
const IN_FLIGHT = 1000;
const MESSAGE = 'x'.repeat(32);

interface Server {
  port: number;
  child: ChildProcess;
}

async function startServer(kind: 'torsion' | 'ws'): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { port: Number((await lines.next()).value), child };
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

export default async (): Promise<BenchCase[]> => {
  const servers = { torsion: await startServer('torsion'), ws: await startServer('ws') };
  const cases: BenchCase[] = [];
  try {
    const clients = { torsion: await torsionClient(servers.torsion.port), ws: await wsClient(servers.ws.port) };
    for (const [name, batch, goal] of [
      ['sequential', 1, '>= 1x ws'],
      [`pipelined (${IN_FLIGHT} in flight)`, IN_FLIGHT, '>= 1.2x ws'],
    ] as const) {
      let torsion = 0;
      let ws = 0;
      // Alternating rounds, best of three each: the machine is shared and load comes and goes.
      for (let round = 0; round < 3; round++) {
        torsion = Math.max(torsion, await rate(clients.torsion, batch));
        ws = Math.max(ws, await rate(clients.ws, batch));
      }
      cases.push({
        name: `WebSocket echo, 32-byte messages, ${name} (server+client)`,
        higherIsBetter: true,
        goal,
        measurements: [
          { subject: 'torsion', value: torsion, unit: 'msg/s' },
          { subject: 'ws', value: ws, unit: 'msg/s' },
        ],
      });
    }
    clients.torsion.close();
    clients.ws.close();
  } finally {
    servers.torsion.child.kill();
    servers.ws.child.kill();
  }
  return cases;
};
