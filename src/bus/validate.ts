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

/** The JSON text of a message `{ from, data }`; throws {@link BusMessageError} if it cannot be sent. */
export function encodeMessage(from: string, data: unknown, limits: BusLimits): string {
  let text: string | undefined;
  try {
    text = JSON.stringify({ from, data });
  } catch (e) {
    throw new BusMessageError('a bus message must be a JSON value', { cause: e });
  }
  if (data === undefined || text === undefined) throw new BusMessageError('a bus message must be a JSON value');
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: most messages need no count of their bytes.
  if (text.length * 3 > limits.maxMessageBytes && Buffer.byteLength(text) > limits.maxMessageBytes) throw new BusMessageError(`a bus message is at most ${limits.maxMessageBytes} bytes`);
  return text;
}
