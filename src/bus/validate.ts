/**
 * Checks shared by both buses, so a name or message refused by one is refused by the other.
 * @module
 */
import { BusMessageError, BusNameError } from './errors.js';
import type { BusLimits } from './limits.js';

/** Throws {@link BusNameError} unless `name` is a usable channel or key name. */
export function checkName(name: string, limits: BusLimits): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > limits.maxNameLength) {
    throw new BusNameError(`bus names are 1 to ${limits.maxNameLength} characters`);
  }
}

/** The bytes of `{"from":`, `,"data":` and `}` around a message's data. */
const WRAPPER_BYTES = 17;

/** How many bytes the `{ from }` of node `from` adds to a message's data in {@link encodeMessage}. */
export function wrapperBytes(from: string): number {
  return Buffer.byteLength(JSON.stringify(from)) + WRAPPER_BYTES;
}

/**
 * The JSON text of a message's `data` alone (the buses in one process and between workers carry the sender's
 * id beside it); throws {@link BusMessageError} if it cannot be sent. The size limit counts `wrapper` bytes
 * more ({@link wrapperBytes}), so a message refused by one bus is refused by every other.
 */
export function encodeData(data: unknown, limits: BusLimits, wrapper: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (e) {
    throw new BusMessageError('a bus message must be a JSON value', { cause: e });
  }
  if (text === undefined) throw new BusMessageError('a bus message must be a JSON value');
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: most messages need no count of their bytes.
  const max = limits.maxMessageBytes - wrapper;
  if (text.length * 3 > max && Buffer.byteLength(text) > max) throw new BusMessageError(`a bus message is at most ${limits.maxMessageBytes} bytes`);
  return text;
}

/** The JSON text of a message `{ from, data }`; throws {@link BusMessageError} if it cannot be sent. */
export function encodeMessage(from: string, data: unknown, limits: BusLimits): string {
  return `{"from":${JSON.stringify(from)},"data":${encodeData(data, limits, wrapperBytes(from))}}`;
}

/**
 * The data of a run of messages encoded by {@link encodeData}: joined by newlines (a JSON text has none), or
 * as a list. One parse for the run: a call per message costs more than its text.
 */
export function decodeRun(texts: string | readonly string[]): unknown[] {
  return JSON.parse(`[${typeof texts === 'string' ? texts.replaceAll('\n', ',') : texts.join(',')}]`) as unknown[];
}
