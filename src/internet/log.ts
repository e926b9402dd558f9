/**
 * The internet layer's logger. Errors that have no caller to go to (a delayed call that throws, a protocol
 * callback that throws inside a socket event) are logged here, never swallowed.
 * @module
 */
import { Failure } from '../defer/index.js';

/** Logs `error` (thrown by user code the reactor ran) with a message saying where it came from. */
export function logError(message: string, error: unknown): void {
  const failure = error instanceof Failure ? error : new Failure(error);
  console.error(`torsion.internet: ${message}\n${failure.getTraceback()}`);
}
