/**
 * Benchmark contract: each `bench/*.bench.ts` default-exports an async function returning cases.
 * A case measures Torsion and its alternatives in the same process run; the runner prints ratios.
 */
export interface Measurement {
  /** "torsion" for ours (the first one is the reference), anything else for an alternative. */
  subject: string;
  value: number;
  unit: string;
}

export interface BenchCase {
  name: string;
  /** True for rates (ops/s, MB/s), false for costs (ms, bytes). */
  higherIsBetter: boolean;
  /** The goal as the issue states it, e.g. ">= 3x native Promise". */
  goal?: string;
  measurements: Measurement[];
}

export type BenchFn = () => Promise<BenchCase[]>;

/** Runs `fn` repeatedly for about `seconds` after a warm-up, returning operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, opsPerCall: number, seconds = 1): Promise<number> {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) await fn();
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await fn();
    ops += opsPerCall;
  }
  return ops / ((performance.now() - start) / 1000);
}

/** Times one call of `fn`, in milliseconds. */
export async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
