/**
 * The script every Torsion worker runs: loads tasks on demand, runs one at a time, posts results back,
 * and carries `callFromThread`/`blockingCallFromThread` requests to the main thread.
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData, type TransferListItem } from 'node:worker_threads';
import { deserializeError, serializeError } from './error-transport.js';
import { WORKER_HOOKS, type BlockReply, type FromWorker, type MainTarget, type RunMessage, type WorkerBoot, type WorkerHooks } from './messages.js';
import { loadTask } from './task.js';
import { isTransfer, takeTransfers } from './transfer.js';
import type { AnyFunction } from './interfaces.js';

const port = parentPort!;
const boot = workerData as WorkerBoot;
const state = new Int32Array(boot.state);

function post(message: FromWorker, list?: TransferListItem[]): void {
  port.postMessage(message, list);
}

const hooks: WorkerHooks = {
  call(target: MainTarget, args: unknown[]): void {
    post({ t: 'call', target, args }, takeTransfers(args));
  },
  block(target: MainTarget, args: unknown[]): unknown {
    Atomics.store(state, 0, 0);
    post({ t: 'block', target, args }, takeTransfers(args));
    Atomics.wait(state, 0, 0);
    const reply = receiveMessageOnPort(boot.syncPort)?.message as BlockReply | undefined;
    if (!reply) throw new Error('blockingCallFromThread: woken without an answer');
    if (!reply.ok) throw deserializeError(reply.error);
    return reply.value;
  },
};
(globalThis as Record<symbol, unknown>)[WORKER_HOOKS] = hooks;

const specs = new Map<number, { module: string; name: string }>();
const functions = new Map<number, AnyFunction>();

// Tasks run one at a time, in the order sent; the main thread may send the next ones ahead.
const queue: RunMessage[] = [];
let head = 0;
let running = false;
let pumping = false;

/** Starts queued tasks while none runs; a loop, not recursion, however many synchronous tasks wait. */
function pump(): void {
  if (pumping) return;
  pumping = true;
  while (!running && head < queue.length) {
    const msg = queue[head++];
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    start(msg);
  }
  pumping = false;
}

function finished(): void {
  running = false;
  pump();
}

function done(id: number, value: unknown): void {
  let result = value;
  let list: TransferListItem[] | undefined;
  if (isTransfer(value)) {
    result = value.value;
    list = [...value.list];
  }
  try {
    post({ t: 'done', id, value: result }, list);
  } catch (e) {
    post({ t: 'fail', id, error: serializeError(e) });
  }
  finished();
}

function fail(id: number, error: unknown): void {
  post({ t: 'fail', id, error: serializeError(error) });
  finished();
}

function invoke(fn: AnyFunction, msg: RunMessage): void {
  let result: unknown;
  try {
    result = fn(...msg.args);
  } catch (e) {
    fail(msg.id, e);
    return;
  }
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then((v) => done(msg.id, v), (e: unknown) => fail(msg.id, e));
  } else {
    done(msg.id, result);
  }
}

function start(msg: RunMessage): void {
  running = true;
  const fn = functions.get(msg.key);
  if (fn) {
    invoke(fn, msg);
    return;
  }
  const spec = specs.get(msg.key);
  if (!spec) {
    fail(msg.id, new Error(`worker does not know task #${msg.key}`));
    return;
  }
  loadTask(spec).then(
    (loaded) => {
      functions.set(msg.key, loaded);
      invoke(loaded, msg);
    },
    (e: unknown) => fail(msg.id, e),
  );
}

port.on('message', (msg: RunMessage) => {
  if (msg.task) specs.set(msg.key, msg.task);
  queue.push(msg);
  pump();
});

post({ t: 'ready' });
