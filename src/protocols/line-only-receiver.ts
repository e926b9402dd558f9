/**
 * `LineOnlyReceiver`: a `LineReceiver` without raw mode, for protocols that are lines and nothing else.
 * @module
 */
import type { ITransport } from '../internet/interfaces.js';
import { LineReceiver, type LineTransport } from './line-receiver.js';

/**
 * Receives lines only. Same delimiter, `MAX_LENGTH`, `lineLengthExceeded` and speed as `LineReceiver`;
 * asking it for raw mode is a programming error.
 *
 * @example
 * class Upper extends LineOnlyReceiver {
 *   override lineReceived(line: Uint8Array) { this.sendLine(decodeUtf8(line).toUpperCase()); }
 * }
 */
export class LineOnlyReceiver<T extends LineTransport = ITransport> extends LineReceiver<T> {
  /** Always throws: a `LineOnlyReceiver` has no raw mode. */
  override setRawMode(): void {
    throw new TypeError(`${this.constructor.name} is a LineOnlyReceiver: it has no raw mode`);
  }
}
