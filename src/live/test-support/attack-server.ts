/**
 * A live page server on 127.0.0.1 for the loopback attack tests, alone in its process so that its memory
 * can be measured. Run with `--expose-gc`; the first argument is the `limits` JSON. It prints
 * `{"port": N}`, then answers each line on stdin with one JSON line:
 *
 * - `stats`: memory now and at its peak since the last `reset` (sampled every 10 ms), pages alive, connected
 *   and made;
 * - `gc`: collects garbage, then `stats`;
 * - `reset`: starts a new peak;
 * - `flood <ms> <chars>`: from now on calls every live page every `ms` with `chars` characters;
 * - `quiet`: stops the flood.
 * @module
 */
import { createInterface } from 'node:readline';
import { reactor } from '../../internet/index.js';
import { Site } from '../../web/index.js';
import { LivePage } from '../page.js';
import type { LiveLimits } from '../shared/limits.js';
import { Recorder } from './recorder.js';

const limits = JSON.parse(process.argv[2] ?? '{}') as Partial<LiveLimits>;
let made = 0;
const page = new LivePage({
  limits,
  element: () => {
    made++;
    return new Recorder();
  },
});
const port = reactor.listenTCP(0, new Site(page, { accessLog: false }), { interface: '127.0.0.1' });

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
  const connected = [...page.connections.values()].filter((c) => c.isConnected).length;
  return { rss: m.rss, heapUsed: m.heapUsed, peakRss, peakHeap, pages: page.connections.size, connected, made };
}

let flood: ReturnType<typeof setInterval> | null = null;

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  let answer: unknown = null;
  if (command === 'stats') answer = stats();
  else if (command === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    answer = stats();
  } else if (command === 'reset') {
    peakRss = peakHeap = 0;
    answer = stats();
  } else if (command === 'flood') {
    const text = 'f'.repeat(Number(args[1]));
    flood = setInterval(() => {
      for (const c of page.connections.values()) c.widget(1)?.callRemote('tick', text).addErrback(() => undefined);
    }, Number(args[0]));
    answer = {};
  } else if (command === 'quiet') {
    if (flood !== null) clearInterval(flood);
    answer = {};
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ port: (port.getHost() as unknown as { port: number }).port })}\n`);
