/**
 * The shapes the logger passes around: events, observers, outputs and filter predicates.
 * @module
 */
import type { Failure } from '../defer/failure.js';
import type { LogLevel } from './levels.js';

/**
 * One log event: a plain object, as Twisted's. The `log_*` keys are the logger's; any other key is a
 * field the format string may name (`'connection from {peer}'` reads `event.peer`).
 */
export interface LogEvent {
  /** Dotted name of what logged it, e.g. `torsion.web.server`. */
  log_namespace: string;
  log_level: LogLevel;
  /** Format string with `{field}` placeholders, filled by `formatEvent`. */
  log_format: string;
  /** When it happened, in seconds since the epoch (as Twisted's `time.time()`). */
  log_time: number;
  /** The failure being reported, if any (`Logger.failure`). */
  log_failure?: Failure;
  /** The object the event is about, if the logger was given one. */
  log_source?: unknown;
  [field: string]: unknown;
}

/** Extra fields for an event; keys starting with `log_` are reserved. */
export type LogFields = Record<string, unknown>;

/** An observer as a plain function. */
export type LogObserverFunction = (event: LogEvent) => void;

/** An observer as an object (publishers, filters and file observers are these). */
export interface ILogObserver {
  /** Receives one event; should not throw (a publisher reports it if it does). */
  observe(event: LogEvent): void;
}

/** Anything that receives events: a function or an object with `observe`. */
export type LogObserver = LogObserverFunction | ILogObserver;

/** Where file-style observers write text: `process.stderr`, a `LogFile`, or anything with `write(string)`. */
export interface LogOutput {
  /** Writes text as given (observers include the trailing newline). */
  write(text: string): unknown;
}

/** Answer of a filter predicate (Twisted's `PredicateResult`): let through, drop, or leave it to the next one. */
export type PredicateResult = 'yes' | 'no' | 'maybe';

/** A filter predicate: a function or an object with `check` (such as `LogLevelFilterPredicate`). */
export type LogFilterPredicate = ((event: LogEvent) => PredicateResult) | { check(event: LogEvent): PredicateResult };
