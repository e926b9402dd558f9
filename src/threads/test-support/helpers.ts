/**
 * Helpers for the threads tests.
 * @module
 */
import { task } from '../task.js';
import type * as Tasks from './tasks.js';

const MODULE = new URL('./tasks.js', import.meta.url);

/** The test task `name`, typed. */
export function t<K extends keyof typeof Tasks>(name: K) {
  return task<Extract<(typeof Tasks)[K], (...args: any[]) => any>>(MODULE, name);
}

export { MODULE as TASKS_MODULE };

/** `Atomics.waitAsync` (Node 20 has it; the ES2023 lib does not declare it). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** A gate a `waitForGate` task blocks on until `open()`. */
export class Gate {
  readonly buffer = new SharedArrayBuffer(8);
  readonly #words = new Int32Array(this.buffer);

  /** Resolves once the task is blocked on the gate. */
  async entered(): Promise<void> {
    const r = waitAsync(this.#words, 1, 0);
    if (r.async) await r.value;
  }

  open(): void {
    Atomics.store(this.#words, 0, 1);
    Atomics.notify(this.#words, 0);
  }
}

/** Polls `predicate` on later turns until true (waits on real worker exits, not on time). */
export async function eventually(predicate: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
