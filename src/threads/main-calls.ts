/**
 * The main thread's side of `callFromThread` and `blockingCallFromThread`: runs what a worker asked for
 * on the main loop and, for blocking calls, answers and wakes the worker.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { serializeError } from './error-transport.js';
import type { BlockReply, MainTarget } from './messages.js';
import { lookupMainFunction } from './task.js';

const log = new Logger({ namespace: 'torsion.threads' });

function describe(target: MainTarget): string {
  return typeof target === 'string' ? target : target.key;
}

/**
 * Runs `target(...args)` on this (the main) thread. The Deferred fires with its result, waiting for a
 * returned Deferred or Promise.
 */
export function runOnMain(target: MainTarget, args: unknown[]): Deferred<unknown> {
  return Deferred.fromPromise(lookupMainFunction(target)).addCallback((fn) => fn(...args) as unknown);
}

/** Handles a worker's `callFromThread`: runs it, logging a failure since nobody waits for it. */
export function handleCall(target: MainTarget, args: unknown[], threadId: number): void {
  runOnMain(target, args).addErrback((f: Failure) => {
    log.failure('callFromThread({target}) from worker thread {threadId} failed', f, { target: describe(target), threadId });
  });
}

/** Handles a worker's `blockingCallFromThread`: runs it, then posts the outcome and wakes the worker. */
export function handleBlockingCall(target: MainTarget, args: unknown[], syncPort: MessagePort, state: Int32Array): void {
  const answer = (reply: BlockReply): void => {
    try {
      syncPort.postMessage(reply);
    } catch (e) {
      syncPort.postMessage({ ok: false, error: serializeError(e) } satisfies BlockReply);
    }
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  runOnMain(target, args).addCallbacks(
    (value) => answer({ ok: true, value }),
    (f: Failure) => answer({ ok: false, error: serializeError(f.value) }),
  );
}
