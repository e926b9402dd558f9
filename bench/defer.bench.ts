/**
 * Deferred vs native Promise (issue 2, section 5): already-fired chains, chains resolved after a
 * setImmediate, and the memory of pending ones. The memory case runs in a child process with --expose-gc
 * (this same file, with a flag) so the heap can be measured precisely.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deferred, succeed } from '../src/defer/index.js';
import type { BenchCase } from './harness.js';

const CHILD_FLAG = '--defer-memory-child';

let sink = 0;
const f = (x: number): number => x + 1;
const g = (x: number): number => x * 2;
const h = (x: number): number => {
  sink += x;
  return x;
};

function firedDeferreds(n: number): void {
  for (let i = 0; i < n; i++) succeed(i).addCallback(f).addCallback(g).addCallback(h);
}

async function firedPromises(n: number): Promise<void> {
  let last: Promise<number> | undefined;
  for (let i = 0; i < n; i++) last = Promise.resolve(i).then(f).then(g).then(h);
  await last;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function laterDeferreds(n: number): Promise<void> {
  const ds = new Array<Deferred<number>>(n);
  for (let i = 0; i < n; i++) ds[i] = new Deferred<number>().addCallback(f).addCallback(g).addCallback(h) as Deferred<number>;
  await tick();
  for (let i = 0; i < n; i++) ds[i].callback(i);
}

async function laterPromises(n: number): Promise<void> {
  const resolvers = new Array<(v: number) => void>(n);
  let last: Promise<number> | undefined;
  for (let i = 0; i < n; i++) last = new Promise<number>((r) => (resolvers[i] = r)).then(f).then(g).then(h);
  await tick();
  for (let i = 0; i < n; i++) resolvers[i](i);
  await last;
}

/** Runs each subject `rounds` times, alternating, and returns the median rate of each (ops/s). */
async function compare(n: number, rounds: number, subjects: (() => unknown)[]): Promise<number[]> {
  for (const s of subjects) await s(); // warm-up
  const times: number[][] = subjects.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) {
      const start = performance.now();
      await subjects[i]();
      times[i].push(performance.now() - start);
    }
  }
  return times.map((ts) => {
    const sorted = [...ts].sort((a, b) => a - b);
    return n / (sorted[Math.floor(sorted.length / 2)] / 1000);
  });
}

/** Bytes per item of `make()`, with 1,000,000 kept alive. Needs --expose-gc. */
function bytesPerItem(make: () => unknown, n = 1_000_000): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const keep = new Array<unknown>(n).fill(undefined);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) keep[i] = make();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (keep.length !== n) throw new Error('unreachable');
  return (after - before) / n;
}

function memoryChild(): void {
  const result = {
    deferred: bytesPerItem(() => new Deferred<number>()),
    promise: bytesPerItem(() => new Promise<number>(() => undefined)),
    promiseWithResolve: bytesPerItem(() => {
      let resolve: ((v: number) => void) | undefined;
      const promise = new Promise<number>((r) => (resolve = r));
      return { promise, resolve };
    }),
  };
  console.log(JSON.stringify(result));
}

if (process.argv.includes(CHILD_FLAG)) memoryChild();

export default async (): Promise<BenchCase[]> => {
  const N1 = 1_000_000;
  const [fd, fp] = await compare(N1, 5, [() => firedDeferreds(N1), () => firedPromises(N1)]);
  const N2 = 100_000;
  const [ld, lp] = await compare(N2, 9, [() => laterDeferreds(N2), () => laterPromises(N2)]);
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, CHILD_FLAG], { encoding: 'utf8', timeout: 120_000 });
  const mem = JSON.parse(out.trim().split('\n').at(-1)!) as { deferred: number; promise: number; promiseWithResolve: number };
  if (sink === 0) throw new Error('callbacks did not run');
  return [
    {
      name: '1M already-fired chains of 3 callbacks',
      higherIsBetter: true,
      goal: '>= 3x native Promise',
      measurements: [
        { subject: 'torsion Deferred', value: fd, unit: 'chains/s' },
        { subject: 'native Promise', value: fp, unit: 'chains/s' },
      ],
    },
    {
      name: '100k chains of 3 resolved after setImmediate',
      higherIsBetter: true,
      goal: '>= 1x native Promise',
      measurements: [
        { subject: 'torsion Deferred', value: ld, unit: 'chains/s' },
        { subject: 'native Promise', value: lp, unit: 'chains/s' },
      ],
    },
    {
      name: 'memory per pending (1M alive)',
      higherIsBetter: false,
      goal: '<= 1.5x native Promise',
      measurements: [
        { subject: 'torsion Deferred', value: mem.deferred, unit: 'bytes' },
        { subject: 'native Promise', value: mem.promise, unit: 'bytes' },
        { subject: 'Promise + its resolve fn', value: mem.promiseWithResolve, unit: 'bytes' },
      ],
    },
  ];
};
