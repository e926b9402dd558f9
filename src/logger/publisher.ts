/**
 * `LogPublisher`: fans events out to observers (Twisted's `twisted.logger.LogPublisher`).
 * @module
 */
import { Failure } from '../defer/failure.js';
import type { ILogObserver, LogEvent, LogObserver } from './interfaces.js';

/** Delivers `event` to one observer, whichever form it has. */
export function deliver(observer: LogObserver, event: LogEvent): void {
  if (typeof observer === 'function') observer(event);
  else observer.observe(event);
}

/**
 * Sends every event to each of its observers, in the order they were added. An observer that throws does
 * not stop the others: its first failure is reported to the other observers (or to `console.error` when
 * there are none), later ones are ignored, and it keeps receiving events.
 *
 * @example
 * const publisher = new LogPublisher();
 * publisher.addObserver((event) => seen.push(event));
 * new Logger({ namespace: 'app', observer: publisher }).info('hello');
 */
export class LogPublisher implements ILogObserver {
  #observers: LogObserver[] = [];
  readonly #reported = new WeakSet<object>();
  #reporting = false;

  /** @param observers the initial observers. */
  constructor(...observers: LogObserver[]) {
    this.#observers = [...observers];
  }

  /** Adds an observer (adding the same one twice has no effect). */
  addObserver(observer: LogObserver): void {
    if (!this.#observers.includes(observer)) this.#observers = [...this.#observers, observer];
  }

  /** Removes an observer; removing one that is not there does nothing. */
  removeObserver(observer: LogObserver): void {
    this.#observers = this.#observers.filter((o) => o !== observer);
  }

  /** The current observers. */
  get observers(): readonly LogObserver[] {
    return this.#observers;
  }

  /** Publishes an event to every observer. */
  observe(event: LogEvent): void {
    // A snapshot: observers added or removed while publishing take effect from the next event.
    const observers = this.#observers;
    for (let i = 0; i < observers.length; i++) {
      try {
        deliver(observers[i], event);
      } catch (e) {
        this.#observerFailed(observers[i], e);
      }
    }
  }

  #observerFailed(observer: LogObserver, error: unknown): void {
    if (this.#reported.has(observer) || this.#reporting) return;
    this.#reported.add(observer);
    const report: LogEvent = {
      log_namespace: 'torsion.logger',
      log_level: 'critical',
      log_format: 'Log observer {observer} raised an exception; it stays attached, further exceptions from it are not reported',
      log_time: Date.now() / 1000,
      log_failure: new Failure(error),
      observer: describeObserver(observer),
    };
    const others = this.#observers.filter((o) => o !== observer);
    if (others.length === 0) {
      console.error(`torsion.logger: log observer ${describeObserver(observer)} raised an exception:\n${report.log_failure!.getTraceback()}`);
      return;
    }
    this.#reporting = true;
    try {
      for (const o of others) {
        try {
          deliver(o, report);
        } catch {
          // An observer that also fails on the report gets its own report on the next ordinary event.
        }
      }
    } finally {
      this.#reporting = false;
    }
  }
}

function describeObserver(observer: LogObserver): string {
  if (typeof observer === 'function') return observer.name ? `<function ${observer.name}>` : '<anonymous function>';
  return `<${observer.constructor?.name ?? 'object'}>`;
}
