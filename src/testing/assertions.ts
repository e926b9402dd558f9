/**
 * Assertions about Deferreds for `node:test` (Twisted's `SynchronousTestCase.successResultOf`,
 * `failureResultOf`, `assertNoResult` and `TestCase.assertFailure`).
 *
 * A test may also simply return a Deferred: it is a thenable, so `node:test` waits for it and fails the
 * test if it fails.
 * @module
 */
import { AssertionError } from 'node:assert';
import { Deferred, Failure, type ErrorClass } from '../defer/index.js';

/** What a Deferred holds right now, without waiting. */
type Peek<T> = { state: 'none' } | { state: 'success'; value: T } | { state: 'failure'; failure: Failure };

/**
 * Looks at `d`'s current result. A failure is consumed (the assertion reports it, so it must not also be
 * reported as unhandled); a success is left in place for later callbacks. A result that arrives after the
 * peek passes through untouched, so a later failure still reaches the test.
 */
function peek<T>(d: Deferred<T>): Peek<T> {
  let seen: Peek<T> = { state: 'none' };
  let looking = true;
  d.addCallbacks(
    (value) => {
      if (looking) seen = { state: 'success', value };
      return value;
    },
    (failure) => {
      if (!looking) return failure;
      seen = { state: 'failure', failure };
      return undefined as T;
    },
  );
  looking = false;
  return seen;
}

function fail(message: string, stackStartFn: (...args: any[]) => unknown): never {
  throw new AssertionError({ message, stackStartFn });
}

function names(types: readonly ErrorClass[]): string {
  return types.map((t) => t.name).join(' or ');
}

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The result `d` already succeeded with; fails the test if it has no result yet or failed.
 *
 * @example
 * const d = client.sendCommand('NOOP');
 * transport... ; protocol.dataReceived(Buffer.from('250 OK\r\n'));
 * assert.equal(successResultOf(d), '250 OK');
 */
export function successResultOf<T>(d: Deferred<T>): T {
  const seen = peek(d);
  if (seen.state === 'none') fail(`Success result expected on ${d}, found no result instead`, successResultOf);
  if (seen.state === 'failure') {
    fail(`Success result expected on ${d}, found failure result instead:\n${seen.failure.getTraceback()}`, successResultOf);
  }
  return seen.value;
}

/**
 * The `Failure` `d` already failed with; fails the test if it has no result yet, succeeded, or failed with an
 * error that is none of `types` (when given). The failure is consumed.
 *
 * @example
 * const f = failureResultOf(d, ConnectionRefusedError);
 * assert.match(f.getErrorMessage(), /refused/);
 */
export function failureResultOf<T>(d: Deferred<T>, ...types: ErrorClass[]): Failure {
  const seen = peek(d);
  if (seen.state === 'none') fail(`Failure result expected on ${d}, found no result instead`, failureResultOf);
  if (seen.state === 'success') fail(`Failure result expected on ${d}, found success result (${show(seen.value)}) instead`, failureResultOf);
  if (types.length > 0 && !seen.failure.check(...types)) {
    fail(`Failure of type (${names(types)}) expected on ${d}, found type ${seen.failure.value.name} instead:\n${seen.failure.getTraceback()}`, failureResultOf);
  }
  return seen.failure;
}

/** Fails the test if `d` already has a result (a failure found this way is consumed and shown). */
export function assertNoResult<T>(d: Deferred<T>): void {
  const seen = peek(d);
  if (seen.state === 'success') fail(`No result expected on ${d}, found ${show(seen.value)} instead`, assertNoResult);
  if (seen.state === 'failure') fail(`No result expected on ${d}, found failure result instead:\n${seen.failure.getTraceback()}`, assertNoResult);
}

/**
 * Waits for `d` to fail with one of `types` and gives the error; fails (rejects) if `d` succeeds or fails
 * with another type. Works on a Deferred or a Promise; return or `await` what it returns.
 *
 * @example
 * test('refuses bad input', async () => {
 *   const err = await assertFailure(client.login('x', 'y'), AuthenticationError);
 *   assert.match(err.message, /bad password/);
 * });
 */
export function assertFailure<E extends Error = Error>(d: Deferred<any> | PromiseLike<unknown>, ...types: ErrorClass[]): Deferred<E> {
  const deferred: Deferred<unknown> = d instanceof Deferred ? d : Deferred.fromPromise(d);
  return deferred.addCallbacks(
    (value): E => fail(`${names(types) || 'a failure'} expected, but the Deferred succeeded with ${show(value)}`, assertFailure),
    (failure): E => {
      if (types.length === 0 || failure.check(...types)) return failure.value as E;
      return fail(`${names(types)} expected, but the Deferred failed with ${failure.value.name}:\n${failure.getTraceback()}`, assertFailure);
    },
  );
}

/**
 * Wraps a test body that returns a Deferred (or a Promise, or nothing) into the `() => Promise<void>` that
 * `node:test`'s types expect. At run time `node:test` already waits for a returned Deferred, since it is a
 * thenable; this only satisfies TypeScript.
 *
 * @example
 * test('greets', deferredTest(() => client.greet().addCallback((g) => assert.equal(g, 'hi'))));
 */
export function deferredTest<C = unknown>(body: (context: C) => unknown): (context: C) => Promise<void> {
  return async (context) => {
    await body(context);
  };
}
