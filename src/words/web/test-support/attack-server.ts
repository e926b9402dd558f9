/**
 * A `torsion words` application (SQLite in a temporary folder, IRC and the web chat on 127.0.0.1) for the
 * web chat's loopback attack test, alone in its process so that its memory can be measured. The first
 * argument is the web chat's `limits` JSON. (Node flags such as `--expose-gc` would be handed on to the
 * database's worker thread, which refuses them: a heap cap goes in `NODE_OPTIONS`.) It prints `{"irc": N, "web": N}`, then
 * answers each line on stdin with one JSON line:
 *
 * - `stats`: memory now and at its peak since the last `reset` (sampled every 10 ms); the chat's pages alive
 *   and connected; the bytes they hold on the server (in all, and the most one page holds); `#lobby`'s size;
 * - `gc`: collects garbage, then `stats`;
 * - `reset`: starts a new peak.
 *
 * Ends (stopping the application and removing the folder) when stdin ends.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LiveLimits } from '../../../live/index.js';
import { WordsApplication } from '../../plugin.js';

const LOOPBACK = 'tcp:0:interface=127.0.0.1';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const limits = JSON.parse(process.argv[2] ?? '{}') as Partial<LiveLimits>;
const data = mkdtempSync(join(tmpdir(), 'torsion-words-attack-'));
const app = new WordsApplication({ irc: [LOOPBACK], web: [LOOPBACK], data, scrypt: { N: 1024, r: 8, p: 1 }, webLimits: limits });
await app.startService();

let peakRss = 0;
let peakHeap = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
setInterval(sample, 10).unref();

function stats(): Record<string, number> {
  sample();
  const m = process.memoryUsage();
  const pages = [...app.webChat.connections.values()];
  const held = pages.map((c) => c.budget.used);
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    peakRss,
    peakHeap,
    pages: pages.length,
    connected: pages.filter((c) => c.isConnected).length,
    heldBytes: held.reduce((a, b) => a + b, 0),
    maxPageBytes: Math.max(0, ...held),
    lobby: app.words.findRoom('#lobby')?.size ?? 0,
  };
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  let answer: unknown = null;
  if (command === 'stats') answer = stats();
  else if (command === 'gc') {
    gc();
    answer = stats();
  } else if (command === 'reset') {
    peakRss = peakHeap = 0;
    answer = stats();
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
process.stdin.on('end', () => {
  void app.stopService().addBoth(() => {
    rmSync(data, { recursive: true, force: true });
    process.exit(0);
  });
});
process.stdout.write(`${JSON.stringify(app.ports)}\n`);
