/**
 * Observers that write text (Twisted's `FileLogObserver`, `textFileLogObserver`, `jsonFileLogObserver`)
 * and one that remembers recent events (`LimitedHistoryLogObserver`). Browser-safe: they write to any
 * {@link LogOutput}; `./file.js` opens real files.
 * @module
 */
import { formatEventAsClassicLogText, type ClassicFormatOptions } from './format.js';
import type { ILogObserver, LogEvent, LogObserver, LogOutput } from './interfaces.js';
import { eventAsJSON } from './json.js';
import { deliver } from './publisher.js';

/** Turns an event into the text to write, or `null` to write nothing. */
export type EventFormatter = (event: LogEvent) => string | null;

/**
 * Writes each event to `output` through `formatter`.
 *
 * @example
 * globalLogBeginner.beginLoggingTo([new FileLogObserver(process.stdout, (e) => `${formatEvent(e)}\n`)]);
 */
export class FileLogObserver implements ILogObserver {
  constructor(readonly output: LogOutput, readonly formatter: EventFormatter) {}

  /** Formats `event` and writes the text, if any. */
  observe(event: LogEvent): void {
    const text = this.formatter(event);
    if (text) this.output.write(text);
  }
}

/**
 * Human-readable lines: time, `[namespace#level]`, message, then the failure's traceback if any.
 *
 * @example
 * globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
 */
export function textFileLogObserver(output: LogOutput, options: ClassicFormatOptions = {}): FileLogObserver {
  return new FileLogObserver(output, (event) => formatEventAsClassicLogText(event, options));
}

/**
 * JSON lines: one event per line, as {@link eventAsJSON} writes it (fields kept as data, the formatted
 * message added as `log_text`, failures as their type, message and traceback). Read back with
 * `eventsFromJSONLogFile` from `torsion/logger/file` or {@link eventFromJSON} per line.
 */
export function jsonFileLogObserver(output: LogOutput): FileLogObserver {
  return new FileLogObserver(output, (event) => `${eventAsJSON(event)}\n`);
}

/**
 * Keeps the last `size` events so they can be replayed to observers that arrive later (the global
 * logger buffers startup events this way until the application chooses where logs go).
 */
export class LimitedHistoryLogObserver implements ILogObserver {
  #events: LogEvent[] = [];
  #start = 0;

  constructor(readonly size = 1000) {}

  /** Remembers `event`, forgetting the oldest beyond `size`. */
  observe(event: LogEvent): void {
    if (this.#events.length < this.size) {
      this.#events.push(event);
    } else if (this.size > 0) {
      this.#events[this.#start] = event;
      this.#start = (this.#start + 1) % this.size;
    }
  }

  /** The remembered events, oldest first. */
  get events(): LogEvent[] {
    return [...this.#events.slice(this.#start), ...this.#events.slice(0, this.#start)];
  }

  /** Sends every remembered event, oldest first, to `observer`. */
  replayTo(observer: LogObserver): void {
    for (const event of this.events) deliver(observer, event);
  }

  /** Forgets everything. */
  clear(): void {
    this.#events = [];
    this.#start = 0;
  }
}
