/**
 * The one base of every error class Torsion throws or fails a Deferred with.
 *
 * Each subclass carries a stable `code`, `TORSION_<AREA>_<WHAT>` (`TORSION_IRC_PARSE`,
 * `TORSION_CONNECTION_REFUSED`): match on it, or on the class, never on the message, which may change.
 * No imports and no Node APIs, so browser code shares it.
 * @module
 */

/**
 * The base of Torsion's errors.
 * @example
 * class BadGreeting extends TorsionError {
 *   override readonly code = 'TORSION_MYPROTO_BAD_GREETING';
 *   override name = 'BadGreeting';
 * }
 * try { parse(line) } catch (e) { if (e instanceof TorsionError && e.code === 'TORSION_MYPROTO_BAD_GREETING') ... }
 */
export class TorsionError extends Error {
  /** A stable, machine-readable identifier of the error's kind. */
  readonly code: string = 'TORSION_ERROR';
  override name = 'TorsionError';
}

/** Whether `e` is a Torsion error, optionally of the given `code`. */
export function isTorsionError(e: unknown, code?: string): e is TorsionError {
  return e instanceof TorsionError && (code === undefined || e.code === code);
}
