/**
 * `torsion/threads` against piscina (small-task round trips) and against the main thread (CPU-heavy
 * hashing: throughput and the main loop's timer lag while it runs).
 */
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import { deferToThread, getDefaultThreadPool, stopDefaultThreadPool, suggestThreadPoolSize, task } from '../src/threads/index.js';
import { opsPerSecond, type BenchCase } from './harness.js';
import { measureLag } from './support/main-loop-lag.js';

const TASKS = new URL('./support/threads-tasks.mjs', import.meta.url);
const THREADS = 2;
const BATCH = 256;
const HASH_TOTAL = 64 << 20;
const HASH_CHUNK = 8 << 20;

export default async function threadsBench(): Promise<BenchCase[]> {
  suggestThreadPoolSize(THREADS);
  const pool = getDefaultThreadPool();
  pool.adjustPoolsize(THREADS, THREADS);
  const piscina = new Piscina({ filename: TASKS.href, minThreads: THREADS, maxThreads: THREADS });
  const add = task<(a: number, b: number) => number>(TASKS, 'add');
  const hashRange = task<(s: SharedArrayBuffer, offset: number, length: number) => string>(TASKS, 'hashRange');
  try {
    const oursSerial = await opsPerSecond(() => deferToThread(add, 1, 2), 1, 2);
    const piscinaSerial = await opsPerSecond(() => piscina.run([1, 2], { name: 'add' }), 1, 2);
    const oursBatch = await opsPerSecond(() => Promise.all(Array.from({ length: BATCH }, (_, i) => deferToThread(add, i, 1))), BATCH, 2);
    const piscinaBatch = await opsPerSecond(() => Promise.all(Array.from({ length: BATCH }, (_, i) => piscina.run([i, 1], { name: 'add' }))), BATCH, 2);

    const data = new SharedArrayBuffer(HASH_TOTAL);
    new Uint8Array(data).fill(0x5a);
    const chunks = Array.from({ length: HASH_TOTAL / HASH_CHUNK }, (_, i) => i * HASH_CHUNK);
    const inWorkers = await measureLag(async () => {
      await Promise.all(chunks.map((offset) => deferToThread(hashRange, data, offset, HASH_CHUNK)));
    }, 3);
    const onMain = await measureLag(async () => {
      for (const offset of chunks) {
        createHash('sha256').update(new Uint8Array(data, offset, HASH_CHUNK)).digest('hex');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, 3);
    const mbps = (r: { seconds: number }): number => (HASH_TOTAL / (1 << 20)) / r.seconds;

    return [
      {
        name: 'deferToThread round trips, 1 in flight (2 workers)',
        higherIsBetter: true,
        goal: '>= 1x piscina',
        measurements: [
          { subject: 'torsion', value: oursSerial, unit: 'ops/s' },
          { subject: 'piscina', value: piscinaSerial, unit: 'ops/s' },
        ],
      },
      {
        name: `deferToThread round trips, ${BATCH} in flight (2 workers)`,
        higherIsBetter: true,
        goal: '>= 1x piscina',
        measurements: [
          { subject: 'torsion', value: oursBatch, unit: 'ops/s' },
          { subject: 'piscina', value: piscinaBatch, unit: 'ops/s' },
        ],
      },
      {
        name: 'SHA-256 of 64 MiB: throughput (2 workers vs main thread)',
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: mbps(inWorkers), unit: 'MiB/s' },
          { subject: 'main thread', value: mbps(onMain), unit: 'MiB/s' },
        ],
      },
      {
        name: 'SHA-256 of 64 MiB: main-loop timer lag p99 while hashing',
        higherIsBetter: false,
        goal: 'main loop stays responsive',
        measurements: [
          { subject: 'torsion', value: inWorkers.lagP99, unit: 'ms' },
          { subject: 'main thread', value: onMain.lagP99, unit: 'ms' },
        ],
      },
    ];
  } finally {
    await stopDefaultThreadPool();
    await piscina.destroy();
  }
}
