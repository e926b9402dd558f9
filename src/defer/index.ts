/**
 * `torsion/defer`: Deferreds, Failures and the tools built on them (Twisted's `twisted.internet.defer`).
 * No Node imports: runs in a browser too.
 * @module
 */
export { Deferred, type Chained } from './deferred.js';
export {
  Failure,
  AlreadyCalledError,
  CancelledError,
  TimeoutError,
  FirstError,
  FailureGroup,
  QueueOverflow,
  QueueUnderflow,
  toError,
  type ErrorClass,
} from './failure.js';
export { succeed, fail, maybeDeferred, type Deferrable } from './helpers.js';
export { isThenable } from './thenable.js';
export { inlineCallbacks, ensureDeferred } from './generators.js';
export { DeferredList, gatherResults, race, type DeferredListEntry, type DeferredListOptions, type DeferredValues, type DeferredValue } from './list.js';
export { DeferredLock, DeferredSemaphore } from './lock.js';
export { DeferredQueue } from './queue.js';
export { setDebugging, getDebugging, setUnhandledReporter, reportAllUnhandled, type UnhandledReporter } from './unhandled.js';
