/**
 * The WebSocket-to-TCP bridge of `torsion/live` (what a page's Torsion protocol talks through) against a
 * relay built on the `ws` package and `node:net`, both in front of the same TCP echo server in a child
 * process. The client is the `ws` package in this process for both, so only the bridge differs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { BenchCase } from './harness.js';
import { opsPerSecond } from './harness.js';

const SERVER = new URL('./support/bridge-server.ts', import.meta.url).pathname;
const BULK = 8 * 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(120);
const SMALL = new Uint8Array(32).fill(121);

async function start(kind: 'torsion' | 'ws'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { port: Number((await lines.next()).value), child };
}

/** Sends `total` bytes in `chunk`-sized messages and resolves once as many came back. */
async function client(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let waiting = 0;
  let done: (() => void) | null = null;
  ws.on('message', (data: Buffer) => {
    waiting -= data.length;
    if (waiting <= 0) done?.();
  });
  return {
    echo(chunk: Uint8Array, total: number): Promise<void> {
      return new Promise((resolve) => {
        waiting = total;
        done = resolve;
        for (let sent = 0; sent < total; sent += chunk.length) ws.send(chunk);
      });
    },
    close: () => ws.close(),
  };
}

type Client = Awaited<ReturnType<typeof client>>;

async function measure(c: Client): Promise<{ bulk: number; small: number }> {
  const bulkOps = await opsPerSecond(() => c.echo(CHUNK, BULK), BULK, 1);
  const small = await opsPerSecond(() => c.echo(SMALL, SMALL.length), 1, 1);
  return { bulk: bulkOps / (1024 * 1024), small };
}

/** Both bridges stay up; they are measured in turn, best of three, so a busy machine hurts both alike. */
async function measureBoth(): Promise<Record<'torsion' | 'ws', { bulk: number; small: number }>> {
  const servers = { torsion: await start('torsion'), ws: await start('ws') };
  try {
    const clients = { torsion: await client(servers.torsion.port), ws: await client(servers.ws.port) };
    const best = { torsion: { bulk: 0, small: 0 }, ws: { bulk: 0, small: 0 } };
    for (let round = 0; round < 3; round++) {
      for (const kind of ['torsion', 'ws'] as const) {
        const m = await measure(clients[kind]);
        best[kind].bulk = Math.max(best[kind].bulk, m.bulk);
        best[kind].small = Math.max(best[kind].small, m.small);
      }
    }
    clients.torsion.close();
    clients.ws.close();
    return best;
  } finally {
    servers.torsion.child.kill();
    servers.ws.child.kill();
  }
}

export default async (): Promise<BenchCase[]> => {
  const { torsion, ws } = await measureBoth();
  return [
    {
      name: 'bridge echo through WS->TCP->WS, 64 KiB messages',
      higherIsBetter: true,
      measurements: [
        { subject: 'torsion', value: torsion.bulk, unit: 'MiB/s' },
        { subject: 'ws + net relay', value: ws.bulk, unit: 'MiB/s' },
      ],
    },
    {
      name: 'bridge round trips, 32-byte messages, one in flight',
      higherIsBetter: true,
      measurements: [
        { subject: 'torsion', value: torsion.small, unit: 'round trips/s' },
        { subject: 'ws + net relay', value: ws.small, unit: 'round trips/s' },
      ],
    },
  ];
};
