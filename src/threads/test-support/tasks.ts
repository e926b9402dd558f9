/**
 * Tasks the threads tests run in real workers.
 * @module
 */
import { threadId } from 'node:worker_threads';
import { blockingCallFromThread, callFromThread, isWorkerThread, transfer } from '../index.js';
import { task } from '../task.js';

export function add(a: number, b: number): number {
  return a + b;
}

export async function asyncDouble(n: number): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  return n * 2;
}

export class CustomError extends Error {
  override name = 'CustomError';
  readonly code = 'E_CUSTOM';
}

export function throwCustom(message: string): never {
  throw new CustomError(message);
}

export function throwType(): never {
  throw new TypeError('not a number');
}

export function exitNow(code: number): void {
  process.exit(code);
}

/** Throws outside any task's call stack, which kills the worker. */
export function crashLater(): Promise<never> {
  setImmediate(() => {
    throw new Error('boom from a timer');
  });
  return new Promise(() => {});
}

/**
 * Blocks until the main thread sets `gate[0]` to non-zero; sets `gate[1]` to 1 first so the test knows
 * the task is running. Returns the worker's thread id.
 */
export function waitForGate(gate: SharedArrayBuffer): number {
  const words = new Int32Array(gate);
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
  Atomics.wait(words, 0, 0);
  return threadId;
}

/** Adds one to `counter[0]`: shows whether a task ran at all. */
export function bump(counter: SharedArrayBuffer): number {
  return Atomics.add(new Int32Array(counter), 0, 1) + 1;
}

export function whoAmI(): { threadId: number; inWorker: boolean } {
  return { threadId, inWorker: isWorkerThread() };
}

export function byteLengthOf(data: ArrayBuffer): number {
  return data.byteLength;
}

/** Fills a buffer of `size` bytes with `value` and moves it to the main thread. */
export function makeBuffer(size: number, value: number) {
  const bytes = new Uint8Array(size).fill(value);
  return transfer(bytes);
}

export function askMain(name: string, ...args: unknown[]): unknown {
  return blockingCallFromThread(name, ...args);
}

/** Calls `name` on the main thread, returning `{ error }` with the error's class and message if it throws. */
export function askMainCatching(name: string, ...args: unknown[]): unknown {
  try {
    return { value: blockingCallFromThread(name, ...args) };
  } catch (e) {
    const error = e as Error;
    return { error: { name: error.name, message: error.message, isTypeError: error instanceof TypeError } };
  }
}

/** Asks the main thread to run `mainSide.shout` (a task, not an exposed name). */
export function askMainTask(word: string): unknown {
  return blockingCallFromThread(task(new URL('./main-side.js', import.meta.url), 'shout'), word);
}

export function tellMain(name: string, ...args: unknown[]): string {
  callFromThread(name, ...args);
  return 'sent';
}

export function blockOnMainThread(): unknown {
  return blockingCallFromThread('anything');
}

export function returnsFunction(): () => void {
  return () => {};
}

export const notAFunction = 42;
