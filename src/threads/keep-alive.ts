/**
 * Keeps the process alive while any task is in flight, with one timer whose ref count follows the
 * number of running tasks. Workers themselves stay unref'd: toggling a Worker's ref on every task
 * costs more than a whole round trip's worth of bookkeeping, and a timer's ref is a counter.
 * @module
 */
let inFlight = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** Marks one more task in flight. */
export function hold(): void {
  if (inFlight++ === 0) {
    timer ??= setInterval(() => {}, 2 ** 30);
    timer.ref();
  }
}

/** Marks one task finished. */
export function release(): void {
  if (--inFlight === 0) timer!.unref();
}
