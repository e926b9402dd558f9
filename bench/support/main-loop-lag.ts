/**
 * Main-loop responsiveness: how late a 1 ms timer fires while some work runs.
 */

/** Percentile `p` (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `work` `rounds` times while a 1 ms timer ticks; gives the mean seconds per round and the
 * timer's lateness p99 in milliseconds (0 means it always fired on time).
 */
export async function measureLag(work: () => Promise<unknown>, rounds: number): Promise<{ seconds: number; lagP99: number }> {
  const lags: number[] = [];
  let running = true;
  let expected = performance.now() + 1;
  const tick = (): void => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    if (!running) return;
    expected = now + 1;
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await work();
  const seconds = (performance.now() - start) / 1000 / rounds;
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { seconds, lagP99: percentile(lags, 99) };
}
