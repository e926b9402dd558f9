/**
 * Waiting on several Deferreds: `DeferredList`, `gatherResults`, `race`.
 * @module
 */
import { Logger } from '../logger/logger.js';
import { Deferred } from './deferred.js';
import { Failure, FailureGroup, FirstError } from './failure.js';

const log = new Logger({ namespace: 'torsion.defer' });

/** One entry of a `DeferredList` result: `[true, value]` or `[false, failure]`, as Twisted's `(success, result)`. */
export type DeferredListEntry<T> = [true, T] | [false, Failure];

/** Options of {@link DeferredList}. */
export interface DeferredListOptions {
  /** Fire with `[result, index]` as soon as one Deferred succeeds (an empty list then never fires). */
  fireOnOneCallback?: boolean;
  /** Fail with a `FirstError` (carrying the failure and its index) as soon as one Deferred fails. */
  fireOnOneErrback?: boolean;
  /** Stop failures of the given Deferreds there (they go on with `undefined`), so none is reported unhandled. */
  consumeErrors?: boolean;
}

/**
 * A Deferred that fires when all the given Deferreds have (Twisted's `DeferredList`), with one
 * `[success, valueOrFailure]` pair per Deferred, in the order given. With `fireOnOneCallback` it fires with
 * `[value, index]` of the first success instead: give `R = [T, number]` to type that. For Deferreds of
 * different types, give `T` as their union. Cancelling it cancels every Deferred in the list.
 *
 * @example
 * new DeferredList([fetch(a), fetch(b)], { consumeErrors: true }).addCallback((results) => {
 *   for (const [ok, value] of results) console.log(ok ? value : value.getErrorMessage());
 * });
 */
export class DeferredList<T = unknown, R = DeferredListEntry<T>[]> extends Deferred<R> {
  /** The entries so far (`undefined` for Deferreds that have not fired). */
  readonly resultList: (DeferredListEntry<T> | undefined)[];
  /** How many of the Deferreds have fired. */
  finishedCount = 0;
  /** See {@link DeferredListOptions}. */
  readonly fireOnOneCallback: boolean;
  /** See {@link DeferredListOptions}. */
  readonly fireOnOneErrback: boolean;
  /** See {@link DeferredListOptions}. */
  readonly consumeErrors: boolean;
  readonly #deferreds: Deferred<T>[];

  constructor(deferreds: Iterable<Deferred<T>>, options: DeferredListOptions = {}) {
    super();
    this.#deferreds = [...deferreds];
    this.resultList = new Array<DeferredListEntry<T> | undefined>(this.#deferreds.length).fill(undefined);
    this.fireOnOneCallback = options.fireOnOneCallback ?? false;
    this.fireOnOneErrback = options.fireOnOneErrback ?? false;
    this.consumeErrors = options.consumeErrors ?? false;
    if (this.#deferreds.length === 0 && !this.fireOnOneCallback) this.callback([] as R);
    for (let i = 0; i < this.#deferreds.length; i++) {
      this.#deferreds[i].addCallbacks(
        (value) => this.#fired([true, value], i),
        (failure) => this.#fired([false, failure], i),
      );
    }
  }

  #fired(entry: DeferredListEntry<T>, index: number): any {
    this.resultList[index] = entry;
    this.finishedCount++;
    if (!this.called) {
      if (entry[0] && this.fireOnOneCallback) this.callback([entry[1], index] as R);
      else if (!entry[0] && this.fireOnOneErrback) this.errback(new Failure(new FirstError(entry[1], index)));
      else if (this.finishedCount === this.resultList.length) this.callback(this.resultList as R);
    }
    if (!entry[0]) return this.consumeErrors ? undefined : entry[1];
    return entry[1];
  }

  /** Cancels every Deferred in the list; this one then fires as they do. */
  override cancel(): void {
    if (this.called) {
      super.cancel();
      return;
    }
    for (const d of this.#deferreds) {
      try {
        d.cancel();
      } catch (e) {
        log.failure('Exception raised from user supplied canceller', e);
      }
    }
  }
}

/** The value type of a Deferred type (a union for a union of Deferreds). */
export type DeferredValue<D> = D extends Deferred<infer U> ? U : never;

/** The value types of a list of Deferreds. */
export type DeferredValues<D extends readonly Deferred<any>[] | []> = { -readonly [K in keyof D]: D[K] extends Deferred<infer U> ? U : never };

/**
 * A Deferred of all the results, in order (Twisted's `gatherResults`); it fails on the first failure with a
 * `FirstError` whose `subFailure` and `index` say which. With `consumeErrors`, failures stop at the given
 * Deferreds instead of also being reported there.
 *
 * @example
 * gatherResults([getUser(id), getOrders(id)]).addCallback(([user, orders]) => render(user, orders));
 */
export function gatherResults<D extends readonly Deferred<any>[] | []>(deferreds: D, options?: { consumeErrors?: boolean }): Deferred<DeferredValues<D>>;
export function gatherResults<T>(deferreds: Iterable<Deferred<T>>, options?: { consumeErrors?: boolean }): Deferred<T[]>;
export function gatherResults<T>(deferreds: Iterable<Deferred<T>>, options: { consumeErrors?: boolean } = {}): Deferred<T[]> {
  return new DeferredList<T>(deferreds, { fireOnOneErrback: true, consumeErrors: options.consumeErrors }).addCallback((results) =>
    results.map((entry) => entry[1] as T),
  );
}

/**
 * Fires with `[index, value]` of the first Deferred to succeed and cancels all the others (Twisted's `race`).
 * If all fail it fails with a `FailureGroup` of their failures, in order. Cancelling it cancels them all.
 *
 * @example
 * race([connectTo(primary), connectTo(backup)]).addCallback(([i, conn]) => use(conn));
 */
export function race<D extends Deferred<any>>(deferreds: Iterable<D>): Deferred<[number, DeferredValue<D>]> {
  type T = DeferredValue<D>;
  const all: Deferred<T>[] = [...deferreds];
  let winner: Deferred<T> | undefined;
  const failures: (Failure | undefined)[] = new Array<Failure | undefined>(all.length).fill(undefined);
  let failed = 0;
  const result = new Deferred<[number, T]>(() => {
    for (const d of all) d.cancel();
  });
  all.forEach((d, index) =>
    d.addCallbacks(
      (value) => {
        // A loser whose canceller fires it with a success arrives here too; only the first one counts.
        if (winner !== undefined) return undefined;
        winner = d;
        for (const other of all) if (other !== d) other.cancel();
        result.callback([index, value]);
        return undefined;
      },
      (failure) => {
        failures[index] = failure;
        if (++failed === all.length) result.errback(new FailureGroup(failures as Failure[]));
        return undefined;
      },
    ),
  );
  return result;
}
