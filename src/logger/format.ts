/**
 * Turning events into text: `{field}` placeholders (Twisted's `formatEvent`) and the classic one-line
 * log format used by the text observers.
 * @module
 */
import type { LogEvent } from './interfaces.js';

/**
 * Renders one field value for a message: strings as they are, errors as their message, plain objects
 * and arrays as JSON, everything else through `String`.
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value) || typeof (value as { toString?: unknown }).toString !== 'function') return safeJSON(value);
    const text = String(value);
    return text === '[object Object]' ? safeJSON(value) : text;
  }
  return String(value);
}

function safeJSON(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function lookup(event: LogEvent, path: string): unknown {
  const parts = path.split('.');
  if (!(parts[0] in event)) throw new Error(`missing field "${parts[0]}"`);
  let value: unknown = event[parts[0]];
  for (let i = 1; i < parts.length; i++) {
    if (value === null || value === undefined) throw new Error(`cannot read "${parts[i]}" of ${String(value)} in "${path}"`);
    value = (value as Record<string, unknown>)[parts[i]];
  }
  return value;
}

/**
 * Fills `{name}` placeholders in a format string from `event`. `{a.b}` reads a property of a field;
 * `{{` and `}}` are literal braces. Throws when a field is missing or a brace is unmatched.
 */
export function formatWithFields(format: string, event: LogEvent): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const open = format.indexOf('{', i);
    const close = format.indexOf('}', i);
    if (open === -1 && close === -1) {
      out += format.slice(i);
      break;
    }
    if (close !== -1 && (open === -1 || close < open)) {
      if (format[close + 1] !== '}') throw new Error(`single "}" at offset ${close}`);
      out += format.slice(i, close + 1);
      i = close + 2;
      continue;
    }
    out += format.slice(i, open);
    if (format[open + 1] === '{') {
      out += '{';
      i = open + 2;
      continue;
    }
    const end = format.indexOf('}', open);
    if (end === -1) throw new Error(`unclosed "{" at offset ${open}`);
    const name = format.slice(open + 1, end).trim();
    if (name === '') throw new Error(`empty "{}" at offset ${open}`);
    out += formatValue(lookup(event, name));
    i = end + 1;
  }
  return out;
}

/**
 * The event's message: its `log_format` with the fields filled in. Never throws: an event that cannot be
 * formatted gives a message saying so, with its fields, so a bad format string loses nothing.
 *
 * @example
 * formatEvent({ ...event, log_format: 'connection from {peer}', peer: '10.0.0.1' }); // 'connection from 10.0.0.1'
 */
export function formatEvent(event: LogEvent): string {
  const format = event.log_format;
  if (typeof format !== 'string') return typeof event.log_text === 'string' ? event.log_text : '';
  try {
    return formatWithFields(format, event);
  } catch (e) {
    return formatUnformattableEvent(event, e);
  }
}

/** The message for an event whose format failed: names the reason and lists the fields. */
export function formatUnformattableEvent(event: LogEvent, error: unknown): string {
  const fields: string[] = [];
  for (const key of Object.keys(event)) {
    if (key === 'log_failure' || key === 'log_source' || key === 'log_logger') continue;
    let text: string;
    try {
      text = key === 'log_format' ? JSON.stringify(event[key]) : formatValue(event[key]);
    } catch {
      text = '<unprintable>';
    }
    fields.push(`${key} = ${text}`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `Unable to format event (${reason}): {${fields.join(', ')}}`;
}

/** Formats `log_time` (seconds) as an ISO 8601 UTC timestamp, e.g. `2024-05-01T12:00:00.000Z`. */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  return new Date(seconds * 1000).toISOString();
}

/** Options of {@link formatEventAsClassicLogText}. */
export interface ClassicFormatOptions {
  /** Renders `log_time` (seconds); defaults to {@link formatTime}. */
  formatTime?: (seconds: number) => string;
}

/**
 * One event as a human line, as Twisted's `formatEventAsClassicLogText`:
 * `2024-05-01T12:00:00.000Z [torsion.web.server#info] connection from 10.0.0.1`, followed by the failure's
 * traceback when there is one. Continuation lines are indented with a tab so each event stays one record.
 * Returns `null` for an event with no message and no failure.
 */
export function formatEventAsClassicLogText(event: LogEvent, options: ClassicFormatOptions = {}): string | null {
  let text = formatEvent(event);
  const failure = event.log_failure;
  if (failure && typeof failure.getTraceback === 'function') text += (text ? '\n' : '') + failure.getTraceback();
  if (!text) return null;
  const time = (options.formatTime ?? formatTime)(event.log_time);
  const system = typeof event.log_system === 'string' ? event.log_system : `${event.log_namespace ?? '-'}#${event.log_level ?? '-'}`;
  return `${time} [${system}] ${text.replace(/\n/g, '\n\t')}\n`;
}
