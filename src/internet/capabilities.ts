/**
 * What every transport shares about its capabilities: the write-buffer marks (one place for their
 * defaults) and the TLS question a protocol asks. No Node imports: browser transports use it too.
 * @module
 */
import type { IReadBuffer, ISSLTransport, IWriteFromBuffer, WriteBufferLimits } from './interfaces.js';

/** Default write-buffer high-water mark: a streaming producer is paused above it (asyncio's 64 KiB). */
export const HIGH_WATER = 64 * 1024;
/** Default low-water mark: a paused producer is resumed at or below it (asyncio's 16 KiB). */
export const LOW_WATER = 16 * 1024;

/** The default marks, {@link HIGH_WATER} and {@link LOW_WATER}. */
export const DEFAULT_WRITE_BUFFER_LIMITS: WriteBufferLimits = Object.freeze({ high: HIGH_WATER, low: LOW_WATER });

/**
 * The marks `setWriteBufferLimits(high, low)` asks for, checked: no arguments gives the defaults, `low`
 * alone defaults to a quarter of `high`. Throws `RangeError` unless `0 <= low <= high`.
 */
export function writeBufferLimits(high?: number, low?: number): WriteBufferLimits {
  if (high === undefined && low === undefined) return DEFAULT_WRITE_BUFFER_LIMITS;
  const h = high ?? Math.max(HIGH_WATER, 4 * (low as number));
  const l = low ?? Math.floor(h / 4);
  if (!(Number.isFinite(h) && Number.isFinite(l) && l >= 0 && h >= l)) throw new RangeError(`write buffer limits must satisfy 0 <= low <= high (high ${h}, low ${l})`);
  return { high: h, low: l };
}

/**
 * True if TLS protects what `transport` writes (it provides `ISSLTransport` and says so). The question a
 * protocol asks instead of looking for a Node socket under its transport.
 *
 * @example
 * if (!isSecure(this.transport)) this.sendLine('530 use STARTTLS first');
 */
export function isSecure(transport: object): boolean {
  const t = transport as Partial<ISSLTransport>;
  return typeof t.isSecure === 'function' && t.isSecure() === true;
}

/** The TLS side of `transport` when TLS protects it, else null: its peer certificate and ALPN protocol. */
export function sslOf(transport: object): ISSLTransport | null {
  return isSecure(transport) ? (transport as ISSLTransport) : null;
}

/**
 * Asks `transport` to read into `buffer` from now on (see {@link IReadBuffer}); false, with nothing changed,
 * for a transport that cannot. When true, `dataReceived` gets views of `buffer`, valid only during the call.
 *
 * @example
 * const borrowed = readIntoBuffer(this.transport, Buffer.allocUnsafe(256 * 1024));
 */
export function readIntoBuffer(transport: object, buffer: Uint8Array): boolean {
  const t = transport as Partial<IReadBuffer>;
  return typeof t.readIntoBuffer === 'function' && t.readIntoBuffer(buffer);
}

/**
 * True if `transport` can write from a buffer its protocol reuses (see {@link IWriteFromBuffer}).
 *
 * @example
 * if (writesFromBuffer(consumer) && consumer.writeFromBuffer(chunk)) readNextInto(chunk);
 */
export function writesFromBuffer(transport: object): transport is IWriteFromBuffer {
  return typeof (transport as Partial<IWriteFromBuffer>).writeFromBuffer === 'function';
}
