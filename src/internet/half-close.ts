/**
 * Half-close for `SocketTransport`: a protocol with `readConnectionLost` hears the peer's FIN and may keep
 * writing; `loseWriteConnection` sends ours and keeps reading. The connection closes once both ways are done.
 *
 * Closing lingers: after `loseConnection`'s FIN has gone out, the socket is not closed until the peer's FIN
 * arrives (or {@link LINGER_SECONDS} pass), reading and dropping what still comes. Closing a socket with
 * unread input makes the kernel send a reset instead, and a reset makes the peer's kernel throw away what it
 * received but its program has not yet read: the tail of what was written before `loseConnection`. (TLS 1.3
 * hits it every time: the server's session tickets arrive after the handshake, often unread.)
 * @module
 */
import { BackpressureTransport } from './backpressure.js';
import { onFinish } from './socket-listeners.js';
import type { OptionalHooks } from './transport-state.js';

/** How long a closing connection waits for the peer's FIN after sending its own, in seconds. */
export const LINGER_SECONDS = 5;

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
    if (this._disconnecting) {
      if (this._ended && this.socket.writableFinished) this.socket.destroy();
      return;
    }
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
      this._linger();
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

  /** Closes once the peer's FIN is in too (reading and dropping until then), or after {@link LINGER_SECONDS}. */
  protected _linger(): void {
    const socket = this.socket;
    if (this._readClosed || socket.readableEnded || socket.destroyed) {
      socket.destroy();
      return;
    }
    socket.resume();
    const extra = (this._extra ??= {});
    extra.linger ??= setTimeout(() => socket.destroy(), LINGER_SECONDS * 1000);
    extra.linger.unref?.();
  }

  /** Listens for our FIN going out (once per socket: only closing connections need it). */
  protected _hookFinish(): void {
    if (this._finishHooked) return;
    this._finishHooked = true;
    this.socket.on('finish', onFinish);
  }
}
