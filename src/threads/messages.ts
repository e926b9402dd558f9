/**
 * The wire between the main thread and a worker. Internal: both ends are in this folder.
 *
 * main → worker: `run` (one at a time per worker).
 * worker → main: `ready` once, then `done`/`fail` per run, and any number of `call`/`block` in between.
 * A `block` is answered on the worker's sync port, then the shared state word is set and notified.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from './error-transport.js';

/** What a worker can ask the main thread to run: an exposed function's name, or a task. */
export type MainTarget = string | { module: string; name: string; key: string };

/** Runs a task. `task` is sent the first time `key` is used on that worker; later runs send the key only. */
export interface RunMessage {
  t: 'run';
  id: number;
  key: number;
  task?: { module: string; name: string };
  args: unknown[];
}

export type FromWorker =
  | { t: 'ready' }
  | { t: 'done'; id: number; value: unknown }
  | { t: 'fail'; id: number; error: SerializedError }
  | { t: 'call'; target: MainTarget; args: unknown[] }
  | { t: 'block'; target: MainTarget; args: unknown[] };

/** The answer to a `block` request. */
export type BlockReply = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/** `workerData` of every Torsion worker. */
export interface WorkerBoot {
  /** Marks the worker as Torsion's, for `isWorkerThread`. */
  torsion: true;
  /** Where `block` answers arrive; read synchronously with `receiveMessageOnPort`. */
  syncPort: MessagePort;
  /** One Int32: 0 while a `block` waits, 1 once it is answered. */
  state: SharedArrayBuffer;
}

/** The worker side's hooks for `callFromThread`/`blockingCallFromThread`, kept on `globalThis`. */
export const WORKER_HOOKS = Symbol.for('torsion.threads.worker');

export interface WorkerHooks {
  call(target: MainTarget, args: unknown[]): void;
  block(target: MainTarget, args: unknown[]): unknown;
}
