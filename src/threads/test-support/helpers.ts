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
