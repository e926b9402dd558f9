/**
 * `torsion/threads`: work off the main loop on `worker_threads`, results back as Deferreds on the main
 * loop (Twisted's `twisted.internet.threads` and `twisted.python.threadpool`).
 * @module
 */
export type {
  AnyFunction,
  Task,
  TaskLike,
  TaskResult,
  Transfer,
  Movable,
  MovableArgs,
  IThreadsReactor,
  WorkerThreadOptions,
  ThreadPoolOptions,
  ThreadPoolStats,
  TaskCallback,
} from './interfaces.js';
export { ThreadPool, type TaskHandle } from './thread-pool.js';
export { WorkerThread, type WorkerExit } from './worker-thread.js';
export { deferToThread, deferToThreadPool, getDefaultThreadPool, suggestThreadPoolSize, stopDefaultThreadPool } from './defer-to-thread.js';
export { task, registerTask, unregisterTask, resolveTask, exposeToThreads, unexposeToThreads } from './task.js';
export { transfer, isTransfer } from './transfer.js';
export { callFromThread, blockingCallFromThread, isWorkerThread } from './in-worker.js';
export { registerErrorClass, serializeError, deserializeError, type SerializedError } from './error-transport.js';
export { ThreadPoolStoppedError, QueueFullError, WorkerCrashedError, UnknownTaskError, NotInWorkerError, WorkerError } from './errors.js';
