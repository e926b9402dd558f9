/**
 * Capturing events in tests, so a test can assert on what was logged (and expected errors do not clutter
 * the test output).
 * @module
 */
import { formatEvent } from './format.js';
import { adjustDefaultSilence, globalLogPublisher } from './global.js';
import type { LogEvent, LogObserverFunction } from './interfaces.js';
import type { LogPublisher } from './publisher.js';

/** A running capture (see {@link capturedLogEvents}). */
export interface LogCapture {
  /** The events seen so far, in order. */
  readonly events: LogEvent[];
  /** The formatted message of each event seen so far. */
  messages(): string[];
  /** Stops capturing; `events` keeps what was seen. Calling it again does nothing. */
  stop(): void;
}

/** Options of {@link capturedLogEvents} and {@link captureLogs}. */
export interface CaptureOptions {
  /** The publisher to listen to; defaults to {@link globalLogPublisher}. */
  publisher?: LogPublisher;
  /** Keep printing warnings to stderr while capturing (by default the pre-`beginLoggingTo` printer is quiet). */
  print?: boolean;
}

/**
 * Starts capturing every event published from now on, until `stop()`.
 *
 * @example
 * const logs = capturedLogEvents();
 * try { server.handle(badInput); } finally { logs.stop(); }
 * assert.equal(logs.events[0].log_format, 'bad input from {peer}');
 */
export function capturedLogEvents(options: CaptureOptions = {}): LogCapture {
  const publisher = options.publisher ?? globalLogPublisher;
  const events: LogEvent[] = [];
  const observer: LogObserverFunction = (event) => {
    events.push(event);
  };
  publisher.addObserver(observer);
  const silence = options.print ? 0 : 1;
  adjustDefaultSilence(silence);
  let stopped = false;
  return {
    events,
    messages: () => events.map(formatEvent),
    stop() {
      if (stopped) return;
      stopped = true;
      publisher.removeObserver(observer);
      adjustDefaultSilence(-silence);
    },
  };
}

/**
 * Runs `fn` and returns the events logged while it ran. When `fn` returns a Promise or Deferred, capturing
 * lasts until it settles and the result is a Promise of the events; if it rejects, so does the result.
 *
 * @example
 * const events = captureLogs(() => new Logger({ namespace: 'app' }).warn('disk {pct}% full', { pct: 91 }));
 * assert.equal(formatEvent(events[0]), 'disk 91% full');
 */
export function captureLogs(fn: () => PromiseLike<unknown>, options?: CaptureOptions): Promise<LogEvent[]>;
export function captureLogs(fn: () => unknown, options?: CaptureOptions): LogEvent[];
export function captureLogs(fn: () => unknown, options: CaptureOptions = {}): LogEvent[] | Promise<LogEvent[]> {
  const capture = capturedLogEvents(options);
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    capture.stop();
    throw e;
  }
  if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof (result as PromiseLike<unknown>).then === 'function') {
    return Promise.resolve(result as PromiseLike<unknown>).then(
      () => {
        capture.stop();
        return capture.events;
      },
      (e: unknown) => {
        capture.stop();
        throw e;
      },
    );
  }
  capture.stop();
  return capture.events;
}
