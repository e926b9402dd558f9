/**
 * Events as JSON and back (Twisted's `eventAsJSON` / `eventFromJSON`), for JSON-lines log files.
 * @module
 */
import { Failure } from '../defer/failure.js';
import { formatEvent } from './format.js';
import type { LogEvent } from './interfaces.js';

/** How a failure looks in JSON. */
export interface SerializedFailure {
  /** The error's name, e.g. `TypeError`. */
  type: string;
  /** The error's message. */
  message: string;
  /** `Failure.getTraceback()`. */
  traceback: string;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  return value;
}

function describe(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  try {
    return String(value);
  } catch {
    return '<unprintable>';
  }
}

/**
 * One event as a single line of JSON. Fields stay data; the formatted message is added as `log_text` so a
 * reader needs no format code; a failure becomes `{ type, message, traceback }`; the source becomes its
 * string form; values JSON cannot hold (cycles, functions) are written as strings or left out.
 */
export function eventAsJSON(event: LogEvent): string {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    const value = event[key];
    if (key === 'log_logger') continue;
    if (key === 'log_failure' && value instanceof Failure) {
      out[key] = { type: value.value.name, message: value.value.message, traceback: value.getTraceback() } satisfies SerializedFailure;
    } else if (key === 'log_source') {
      out[key] = describe(value);
    } else {
      out[key] = value;
    }
  }
  if (out.log_text === undefined) out.log_text = formatEvent(event);
  try {
    return JSON.stringify(out, replacer);
  } catch {
    for (const key of Object.keys(out)) {
      try {
        JSON.stringify(out[key], replacer);
      } catch {
        out[key] = describe(out[key]);
      }
    }
    return JSON.stringify(out, replacer);
  }
}

/** Parses a line written by {@link eventAsJSON}; a serialized failure comes back as a `Failure`. */
export function eventFromJSON(text: string): LogEvent {
  const event = JSON.parse(text) as LogEvent;
  const f = event.log_failure as unknown as SerializedFailure | undefined;
  if (f && typeof f === 'object' && !(f instanceof Failure) && typeof f.type === 'string') {
    const error = new Error(f.message);
    error.name = f.type;
    error.stack = f.traceback;
    event.log_failure = new Failure(error);
  }
  return event;
}
