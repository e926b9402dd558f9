/**
 * `torsion/defer`: Deferreds, Failures and the tools built on them. No Node imports: runs in a browser too.
 * @module
 */
export { Deferred, type Chained, type TimeoutClock } from './deferred.js';
export { Failure, AlreadyCalledError, CancelledError, TimeoutError, FirstError, toError, type ErrorClass } from './failure.js';
export { setDebugging, getDebugging, setUnhandledReporter, reportAllUnhandled } from './unhandled.js';
