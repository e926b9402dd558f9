/**
 * `Logger`: what code logs through (Twisted's `twisted.logger.Logger`).
 * @module
 */
import { Failure } from '../defer/failure.js';
import { globalLogPublisher } from './global.js';
import type { LogEvent, LogFields, LogObserver } from './interfaces.js';
import type { LogLevel } from './levels.js';
import { deliver } from './publisher.js';

/** Options of {@link Logger}. */
export interface LoggerOptions {
  /** Dotted name of the code that logs, e.g. `torsion.web.server`; defaults to `torsion`. */
  namespace?: string;
  /** The object events are about (set as `log_source`), e.g. a protocol instance. */
  source?: unknown;
  /** Where events go; defaults to {@link globalLogPublisher}. */
  observer?: LogObserver;
}

/**
 * Emits structured events. The format string names fields with `{name}`; the fields stay in the event,
 * so observers can filter and serialize them as data, not only as text.
 *
 * @example
 * const log = new Logger({ namespace: 'torsion.web.server' });
 * log.info('connection from {peer}', { peer: '10.0.0.1' });
 * d.addErrback((f) => log.failure('request {uri} failed', f, { uri }));
 */
export class Logger {
  /** Dotted name of the code that logs. */
  readonly namespace: string;
  /** The object events are about, or undefined. */
  readonly source: unknown;
  /** Where events go. */
  readonly observer: LogObserver;

  constructor(options: LoggerOptions = {}) {
    this.namespace = options.namespace ?? 'torsion';
    this.source = options.source;
    this.observer = options.observer ?? globalLogPublisher;
  }

  /** A logger for `namespace.suffix`, with the same source and observer. */
  child(suffix: string, source: unknown = this.source): Logger {
    return new Logger({ namespace: `${this.namespace}.${suffix}`, source, observer: this.observer });
  }

  /** Emits an event at `level`; `fields` are copied into it. */
  emit(level: LogLevel, format: string, fields?: LogFields): void {
    const event: LogEvent = {
      ...fields,
      log_namespace: this.namespace,
      log_level: level,
      log_format: format,
      log_time: Date.now() / 1000,
    };
    if (this.source !== undefined) event.log_source = this.source;
    deliver(this.observer, event);
  }

  /** Detail for whoever debugs this code. */
  debug(format: string, fields?: LogFields): void {
    this.emit('debug', format, fields);
  }

  /** Something normal worth knowing (a server started listening). */
  info(format: string, fields?: LogFields): void {
    this.emit('info', format, fields);
  }

  /** Something odd that the code handled (a peer sent a malformed line). */
  warn(format: string, fields?: LogFields): void {
    this.emit('warn', format, fields);
  }

  /** Something failed (a request could not be served). */
  error(format: string, fields?: LogFields): void {
    this.emit('error', format, fields);
  }

  /** Something failed that nobody expected or handled. */
  critical(format: string, fields?: LogFields): void {
    this.emit('critical', format, fields);
  }

  /**
   * Logs a failure with its traceback (as `log_failure`). Anything that is not a `Failure` is wrapped in
   * one. The level defaults to `critical`, as in Twisted: a failure logged this way was not handled.
   */
  failure(format: string, failure: unknown, fields?: LogFields, level: LogLevel = 'critical'): void {
    this.emit(level, format, { ...fields, log_failure: failure instanceof Failure ? failure : new Failure(failure) });
  }
}
