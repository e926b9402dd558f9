// Producers and consumers for real: 1 GiB pushed through TCP to a reader that keeps stopping keeps the
// sender's memory bounded. The sender runs in a child process so its RSS is its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { createInterface } from 'node:readline';

const TOTAL = 1024 ** 3;
/** The bound: the sender's RSS may grow by at most this much while sending 1 GiB. */
const RSS_GROWTH_BOUND = 64 * 1024 * 1024;

test('1 GiB to a slow reader: the sender is paused and its RSS grows by less than 64 MiB', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./test-support/backpressure-sender.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TOTAL_BYTES: String(TOTAL) },
  });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const port = Number((await it.next()).value);
  let received = 0;
  let sincePause = 0;
  const sock = net.connect(port, '127.0.0.1');
  // Slow: after every 8 MiB the reader stops for 25 ms, so the sender is always ahead of it.
  sock.on('data', (d: Buffer) => {
    received += d.length;
    sincePause += d.length;
    if (sincePause >= 8 * 1024 * 1024) {
      sincePause = 0;
      sock.pause();
      setTimeout(() => sock.resume(), 25);
    }
  });
  const closed = new Promise<void>((r) => sock.on('close', () => r()));
  const report = JSON.parse((await it.next()).value as string) as { baseRss: number; maxRss: number; sent: number; pauses: number };
  await closed;
  child.kill();
  assert.equal(report.sent, TOTAL);
  assert.equal(received, TOTAL);
  assert.ok(report.pauses > 10, `the producer was paused (${report.pauses} times)`);
  const growth = report.maxRss - report.baseRss;
  console.log(`sender RSS: base ${(report.baseRss / 2 ** 20).toFixed(1)} MiB, peak ${(report.maxRss / 2 ** 20).toFixed(1)} MiB, ${report.pauses} pauses`);
  assert.ok(growth < RSS_GROWTH_BOUND, `sender RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
});
