/**
 * Waiting, with a bound, for something that happens on real sockets, processes or threads.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** How long {@link eventually} waits, and how. */
export interface EventuallyOptions {
  /** Seconds before giving up (default 30: generous, so a loaded machine does not fail the test). */
  timeout?: number;
  /** Seconds between checks when there is no `step` (default 0.005). */
  interval?: number;
  /** What is awaited, for the error message ("the server to listen"); a function is called only on failure (to quote a log). */
  message?: string | (() => string);
  /**
   * Runs between checks instead of sleeping `interval` seconds: pump an in-memory connection, or wait for
   * whatever moves things along.
   */
  step?: () => unknown;
}

/** {@link eventually} gave up. */
export class EventuallyTimeoutError extends TorsionError {
  override readonly code = 'TORSION_EVENTUALLY_TIMEOUT';
  override name = 'EventuallyTimeoutError';
  constructor(readonly timeout: number, readonly what: string) {
    super(`timed out after ${timeout} s waiting for ${what}`);
  }
}

/** The values `eventually` goes on waiting for. */
type Falsy = false | 0 | '' | null | undefined;

/**
 * Checks `predicate` until it returns (or resolves to) a truthy value, and resolves with that value; fails
 * with {@link EventuallyTimeoutError} after `timeout` seconds. A predicate that throws fails at once: the
 * check itself is broken, and retrying it would hide that. Real time, for real I/O: code driven by a fake
 * `Clock` needs no waiting at all.
 *
 * @example
 * await eventually(() => server.connections.size === 2, { message: 'both clients' });
 * const line = await eventually(() => log.find((l) => l.startsWith('listening')), { timeout: 10 });
 */
export async function eventually<T>(predicate: () => T | PromiseLike<T>, options: EventuallyOptions = {}): Promise<Exclude<T, Falsy>> {
  const timeout = options.timeout ?? 30;
  const interval = options.interval ?? 0.005;
  const deadline = performance.now() + timeout * 1000;
  for (;;) {
    const value = await predicate();
    if (value) return value as Exclude<T, Falsy>;
    if (performance.now() > deadline) {
      const what = typeof options.message === 'function' ? options.message() : options.message;
      throw new EventuallyTimeoutError(timeout, what ?? 'a condition');
    }
    if (options.step !== undefined) await options.step();
    else await new Promise((resolve) => setTimeout(resolve, interval * 1000));
  }
}
