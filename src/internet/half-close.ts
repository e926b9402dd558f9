/**
 * Half-close for `SocketTransport`: a protocol with `readConnectionLost` hears the peer's FIN and may keep
 * writing; `loseWriteConnection` sends ours and keeps reading. The connection closes once both ways are done.
 * @module
 */
import { BackpressureTransport } from './backpressure.js';
import { onFinish } from './socket-listeners.js';
import type { OptionalHooks } from './transport-state.js';

/** Whether `p` wants to hear the peer's FIN (otherwise Node ends our side for it). */
export function isHalfCloseable(p: OptionalHooks): boolean {
  return typeof p.readConnectionLost === 'function';
}

/** The half-close part of `SocketTransport` (see there). */
export abstract class HalfCloseTransport extends BackpressureTransport {
  /** Half-close: sends FIN after what was written, keeps reading. Calls `writeConnectionLost` when done. */
  loseWriteConnection(): void {
    if (this._ended || this._lost) return;
    this._ended = true;
    this._hookFinish();
    this.socket.end();
  }

  /** @internal the peer half-closed (only half-closeable protocols listen for it). */
  _readEnded(): void {
    this._readClosed = true;
    if (this._disconnecting) return;
    const p = this.protocol as OptionalHooks;
    try {
      p.readConnectionLost!();
    } catch (e) {
      this._failed('readConnectionLost failed', e);
      return;
    }
    if (this._ended && this.socket.writableFinished) this.socket.destroy();
  }

  /** @internal our side's FIN went out. */
  _writeEnded(): void {
    if (this._disconnecting) {
      this.socket.destroy();
      return;
    }
    const p = this.protocol as OptionalHooks;
    try {
      p.writeConnectionLost?.();
    } catch (e) {
      this._failed('writeConnectionLost failed', e);
      return;
    }
    if (this._readClosed) this.socket.destroy();
  }

  /** Listens for our FIN going out (once per socket: only closing connections need it). */
  protected _hookFinish(): void {
    if (this._finishHooked) return;
    this._finishHooked = true;
    this.socket.on('finish', onFinish);
  }
}
