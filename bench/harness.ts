/**
 * Benchmark contract: each `bench/*.bench.ts` default-exports an async function returning cases.
 * A case measures Torsion and its alternatives in the same process run; the runner prints ratios.
 */
import { spawnSync } from 'node:child_process';
export interface Measurement {
  /** "torsion" for ours (the first one is the reference), anything else for an alternative. */
  subject: string;
  value: number;
  unit: string;
  /**
   * The value of each interleaved round, when the case was repeated; `value` is then their median, and the
   * runner prints the median and spread of the per-round ratios.
   */
  samples?: number[];
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

// ---------------------------------------------------------------- quiet mode

/** The core servers are pinned to; load generators (and the runner itself) go to {@link LOAD_CORE}. */
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** Pins process `pid` (all its threads) to `core` when `taskset` exists; returns whether it did. */
export function pin(pid: number, core: string): boolean {
  return hasTaskset && spawnSync('taskset', ['-a', '-p', '-c', core, String(pid)]).status === 0;
}

/** `[command, args]` running `command args` pinned to the load generator's core when `taskset` exists. */
export function onLoadCore(command: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', LOAD_CORE, command, ...args]] : [command, args];
}

/** Repetitions per interleaved case; `BENCH_ROUNDS` overrides (small while developing). */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/**
 * Measures every subject `rounds` times, alternating in ABBA order (the subject measured last in a round goes
 * first in the next) so that load coming and going hits all alike. Returns the values per subject, in rounds.
 */
export async function interleaved<K extends string>(subjects: readonly K[], measure: (subject: K, round: number) => Promise<number>, rounds = ROUNDS): Promise<Record<K, number[]>> {
  const out = Object.fromEntries(subjects.map((s) => [s, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) out[s].push(await measure(s, round));
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A measurement whose value is the median of `samples` (kept so the runner can show each ratio's spread). */
export function fromSamples(subject: string, samples: number[], unit: string): Measurement {
  return { subject, value: median(samples), unit, samples };
}
