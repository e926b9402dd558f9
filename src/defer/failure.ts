/**
 * `Failure`: an error on its way down an errback chain, as Twisted's `twisted.python.failure.Failure`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** Anything `trap`/`check` can match: an error class. */
export type ErrorClass = abstract new (...args: any[]) => Error;

/** Turns any thrown value into an `Error`, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (value instanceof Failure) return value.value;
  return new Error(typeof value === 'string' ? value : `non-Error thrown: ${String(value)}`, { cause: value });
}

/**
 * A failure carried by a Deferred's errback chain: it wraps the error and remembers where things went wrong.
 *
 * @example
 * d.addErrback((f: Failure) => { f.trap(ConnectionRefusedError); return retry(); });
 */
export class Failure {
  /** The error itself. */
  readonly value: Error;
  /** Extra lines shown by {@link Failure.getTraceback} (set when Deferred debugging is on). */
  debugInfo: string | undefined;

  /** @param value the error; a non-Error is wrapped (kept as `cause`), a Failure is copied. */
  constructor(value?: unknown) {
    if (value instanceof Failure) {
      this.value = value.value;
      this.debugInfo = value.debugInfo;
      return;
    }
    this.value = toError(value === undefined ? new Error('Failure created with no error') : value);
  }

  /** The error's class. */
  get type(): ErrorClass {
    return this.value.constructor as ErrorClass;
  }

  /** Returns the first of `types` the error is an instance of, or `null`. */
  check<C extends ErrorClass[]>(...types: C): C[number] | null {
    for (const t of types) if (this.value instanceof t) return t;
    return null;
  }

  /**
   * Returns the matching type, or throws this Failure so the errback chain goes on failing with it (use it
   * first thing in an errback: `f.trap(ConnectionRefusedError)`).
   */
  trap<C extends ErrorClass[]>(...types: C): C[number] {
    const match = this.check(...types);
    if (match === null) throw this;
    return match;
  }

  /** The error's message alone (Twisted's `getErrorMessage`); `toString()` adds the type. */
  getErrorMessage(): string {
    return this.value.message;
  }

  /** The error's stack (with its `cause` chain), plus creation/firing sites when debugging is on. */
  getTraceback(): string {
    let text = this.value.stack ?? `${this.value.name}: ${this.value.message}`;
    let cause = (this.value as { cause?: unknown }).cause;
    for (let depth = 0; cause instanceof Error && depth < 8; depth++) {
      text += `\nCaused by: ${cause.stack ?? cause.message}`;
      cause = (cause as { cause?: unknown }).cause;
    }
    if (this.debugInfo) text += `\n${this.debugInfo}`;
    return text;
  }

  /** The first line of the traceback: `ErrorName: message`. */
  getBriefTraceback(): string {
    return `${this.value.name}: ${this.value.message}`;
  }

  /** Rethrows the wrapped error. */
  raiseException(): never {
    throw this.value;
  }

  /** `[Failure instance: Name: message]`, as Twisted prints it. */
  toString(): string {
    return `[Failure instance: ${this.value.name}: ${this.value.message}]`;
  }
}

/** `callback`/`errback` was called on a Deferred that already has a result. */
export class AlreadyCalledError extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_ALREADY_CALLED';
  override name = 'AlreadyCalledError';
}

/** A Deferred was cancelled. */
export class CancelledError extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_CANCELLED';
  override name = 'CancelledError';
  constructor(message = 'Deferred was cancelled') {
    super(message);
  }
}

/** A Deferred timed out (see `Deferred.addTimeout`). */
export class TimeoutError extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_TIMEOUT';
  override name = 'TimeoutError';
  constructor(readonly seconds?: number, message?: string) {
    super(message ?? (seconds === undefined ? 'operation timed out' : `timed out after ${seconds} seconds`));
  }
}

/** `gatherResults` failed: carries the first failure and the index of the Deferred that produced it. */
export class FirstError extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_FIRST';
  override name = 'FirstError';
  constructor(readonly subFailure: Failure, readonly index: number) {
    super(`FirstError[#${index}, ${subFailure.value.name}: ${subFailure.value.message}]`, { cause: subFailure.value });
  }
}

/** `race` failed: every Deferred failed. `failures` are in the order of the Deferreds given. */
export class FailureGroup extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_FAILURE_GROUP';
  override name = 'FailureGroup';
  constructor(readonly failures: Failure[]) {
    super(`all ${failures.length} Deferreds failed: ${failures.map((f) => f.getBriefTraceback()).join('; ')}`);
  }
}

/** `DeferredQueue.put` on a queue already holding `size` items. */
export class QueueOverflow extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_QUEUE_OVERFLOW';
  override name = 'QueueOverflow';
  constructor(message = 'DeferredQueue is full') {
    super(message);
  }
}

/** `DeferredQueue.get` on an empty queue that already has `backlog` waiting gets. */
export class QueueUnderflow extends TorsionError {
  override readonly code: string = 'TORSION_DEFER_QUEUE_UNDERFLOW';
  override name = 'QueueUnderflow';
  constructor(message = 'DeferredQueue has too many waiting gets') {
    super(message);
  }
}
