/**
 * The internet layer's logger. Errors that have no caller to go to (a delayed call that throws, a protocol
 * callback that throws inside a socket event) are logged here with their traceback, never swallowed.
 * @module
 */
import { Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';

const log = new Logger({ namespace: 'torsion.internet' });

/** Logs `error` (thrown by user code the reactor ran) with a message saying where it came from. */
export function logError(message: string, error: unknown): void {
  log.failure('{where}', error instanceof Failure ? error : new Failure(error), { where: message });
}
