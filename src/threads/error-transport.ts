/**
 * Errors across threads. Structured clone keeps little of an error (custom classes and extra fields are
 * lost), so errors travel as plain records and are rebuilt on the other side with the worker's stack.
 * @module
 */
import { CancelledError, TimeoutError } from '../defer/index.js';
import { NotInWorkerError, QueueFullError, ThreadPoolStoppedError, UnknownTaskError, WorkerCrashedError, WorkerError } from './errors.js';

/** An error as it crosses a thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Own fields with plain values (`code`, `errno`, `sql`, ...). */
  props: Record<string, unknown>;
  cause?: SerializedError;
}

type AnyErrorClass = abstract new (...args: any[]) => Error;

const classes = new Map<string, AnyErrorClass>();

/**
 * Makes errors named `name` (by default the class's name) arrive as instances of `cls` on the other
 * thread, so `failure.check(cls)` works there. Both threads must register the class.
 */
export function registerErrorClass(cls: AnyErrorClass, name: string = cls.name): void {
  classes.set(name, cls);
}

for (const cls of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) registerErrorClass(cls);
for (const cls of [CancelledError, TimeoutError, ThreadPoolStoppedError, QueueFullError, WorkerCrashedError, UnknownTaskError, NotInWorkerError]) {
  registerErrorClass(cls);
}

const MAX_CAUSE_DEPTH = 5;

function plain(value: unknown): boolean {
  const t = typeof value;
  return value === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint' || t === 'undefined';
}

/** Turns anything thrown into a record that structured clone carries whole. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: typeof error === 'string' ? error : `non-Error thrown: ${String(error)}`, stack: undefined, props: {} };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause' && plain(value)) props[key] = value;
  }
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack, props };
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(cause, depth + 1);
  return out;
}

/**
 * Rebuilds an error: an instance of the registered class of that name (built without running its
 * constructor), else a {@link WorkerError}; either way with the original message, fields and stack.
 */
export function deserializeError(record: SerializedError): Error {
  const cls = classes.get(record.name);
  let error: Error;
  if (cls) {
    error = Object.create(cls.prototype) as Error;
    Object.defineProperty(error, 'message', { value: record.message, writable: true, configurable: true });
    if (error.name !== record.name) Object.defineProperty(error, 'name', { value: record.name, writable: true, configurable: true });
  } else {
    error = new WorkerError(record.name, record.message);
  }
  Object.assign(error, record.props);
  Object.defineProperty(error, 'stack', { value: record.stack ?? `${record.name}: ${record.message}`, writable: true, configurable: true });
  if (record.cause) Object.defineProperty(error, 'cause', { value: deserializeError(record.cause), writable: true, configurable: true });
  return error;
}
