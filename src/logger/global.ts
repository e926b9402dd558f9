/**
 * The global publisher every `Logger` writes to by default, and `globalLogBeginner`, which decides what
 * happens to events before the application has chosen its observers (Twisted's `globalLogBeginner`).
 * @module
 */
import { formatEventAsClassicLogText } from './format.js';
import type { ILogObserver, LogEvent, LogObserver, LogOutput } from './interfaces.js';
import { levelAtLeast, type LogLevel } from './levels.js';
import { LimitedHistoryLogObserver } from './observers.js';
import { deliver, LogPublisher } from './publisher.js';

/** The publisher that every `Logger` without an explicit observer sends its events to. */
export const globalLogPublisher = new LogPublisher();

let silenced = 0;

/** While positive, the beginner's stderr printer stays quiet (tests capturing logs on purpose). @internal */
export function adjustDefaultSilence(delta: number): void {
  silenced += delta;
}

/** `process.stderr` where there is one (Node), else `console.error` (browsers). */
export function defaultErrorOutput(): LogOutput {
  const stderr = (globalThis as { process?: { stderr?: LogOutput } }).process?.stderr;
  if (stderr && typeof stderr.write === 'function') return stderr;
  return { write: (text: string) => console.error(text.replace(/\n$/, '')) };
}

/** Options of {@link LogBeginner}. */
export interface LogBeginnerOptions {
  /** Where events at or above `printLevel` are printed until logging begins; defaults to stderr. */
  errorOutput?: LogOutput;
  /** Events at this level or above are printed before logging begins; default `warn`. */
  printLevel?: LogLevel;
  /** How many events are buffered for replay to the observers given to `beginLoggingTo`; default 1000. */
  bufferSize?: number;
}

/** Options of {@link LogBeginner.beginLoggingTo}. */
export interface BeginLoggingOptions {
  /** Drop the events buffered so far instead of replaying them to the new observers. */
  discardBuffer?: boolean;
}

/**
 * Until the application calls {@link LogBeginner.beginLoggingTo}, events of level `warn` and above are
 * printed to stderr (so nothing serious goes unseen, yet test runs stay quiet) and the last events of every
 * level are buffered. `beginLoggingTo` stops the printing, installs the application's observers and replays
 * the buffer to them, so nothing logged during startup is lost.
 */
export class LogBeginner {
  readonly #publisher: LogPublisher;
  readonly #buffer: LimitedHistoryLogObserver;
  readonly #printer: ILogObserver;
  #began = false;

  constructor(publisher: LogPublisher, options: LogBeginnerOptions = {}) {
    this.#publisher = publisher;
    this.#buffer = new LimitedHistoryLogObserver(options.bufferSize ?? 1000);
    const printLevel = options.printLevel ?? 'warn';
    const explicitOutput = options.errorOutput;
    this.#printer = {
      observe(event: LogEvent): void {
        if (silenced > 0 || !levelAtLeast(event.log_level, printLevel)) return;
        const text = formatEventAsClassicLogText(event);
        if (text) (explicitOutput ?? defaultErrorOutput()).write(text);
      },
    };
    publisher.addObserver(this.#buffer);
    publisher.addObserver(this.#printer);
  }

  /** True once `beginLoggingTo` has been called. */
  get began(): boolean {
    return this.#began;
  }

  /**
   * Sends all events to `observers` from now on (and the buffered ones first, unless discarded); stops the
   * default stderr printing. Calling it again adds more observers and logs a warning.
   *
   * @example
   * globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
   */
  beginLoggingTo(observers: readonly LogObserver[], options: BeginLoggingOptions = {}): void {
    const again = this.#began;
    this.#began = true;
    this.#publisher.removeObserver(this.#buffer);
    this.#publisher.removeObserver(this.#printer);
    if (!options.discardBuffer) {
      for (const observer of observers) this.#buffer.replayTo(observer);
    }
    this.#buffer.clear();
    for (const observer of observers) this.#publisher.addObserver(observer);
    if (again) {
      const event: LogEvent = {
        log_namespace: 'torsion.logger',
        log_level: 'warn',
        log_format: 'beginLoggingTo was called more than once; the new observers were added to the old ones',
        log_time: Date.now() / 1000,
      };
      for (const observer of observers) deliver(observer, event);
    }
  }
}

/** The beginner of {@link globalLogPublisher}. */
export const globalLogBeginner = new LogBeginner(globalLogPublisher);
