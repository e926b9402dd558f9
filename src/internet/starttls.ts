/**
 * STARTTLS for `SocketTransport`: switching a live plain connection to TLS. Until the TLS socket takes over,
 * writes are queued (after what was already written in the clear) and the plain socket is not read from.
 * @module
 */
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { HalfCloseTransport } from './half-close.js';
import type { Data, TLSOptions } from './interfaces.js';
import { onSecure } from './socket-listeners.js';
import { clientTLSOptions, serverTLSOptions } from './tls-options.js';
import type { OptionalHooks } from './transport-state.js';

/** The TLS part of `SocketTransport` (see there). */
export abstract class StartTLSTransport extends HalfCloseTransport {
  /**
   * Switches to TLS on this live connection (STARTTLS). What was written before goes out in the clear first;
   * what is written after is encrypted. A client verifies the server unless `dangerouslyDisableVerification`.
   *
   * From the moment of the call nothing more is delivered in the clear: whatever the socket has read and not
   * yet delivered goes to TLS. `received` is for bytes already delivered that belong to TLS (a peer that sent
   * its TLS hello right behind the command, in the same chunk): they go to TLS first.
   *
   * @example
   * // in a protocol that keeps its own buffer, on the line "STARTTLS":
   * this.transport.startTLS({ key, cert }, true, this.buffer.subarray(afterCommand));
   */
  startTLS(options: TLSOptions, asServer = false, received?: Uint8Array): void {
    if (this.socket instanceof tls.TLSSocket) throw new Error('startTLS: TLS is already started on this connection');
    if (this._lost || this._ended) throw new Error('startTLS: the connection is closing');
    if (this._readBuffer) throw new Error('startTLS: this connection reads into a buffer of its protocol (readIntoBuffer)');
    const plain = this.socket;
    plain.pause();
    // What was corked was written before the switch: it goes out in the clear now, and the corks carry
    // over to the TLS socket (the plain one could never drain while corked).
    for (let i = this._corks; i > 0; i--) plain.uncork();
    // Put back in front of what the socket has buffered; Node's TLS socket reads that buffer when it wraps.
    if (received !== undefined && received.length > 0) plain.unshift(Buffer.from(received.buffer, received.byteOffset, received.byteLength));
    this._preTLS = [];
    const wrap = (): void => {
      if (this._lost || this._aborted) return;
      this._detach(plain);
      const secure = asServer
        ? new tls.TLSSocket(plain, serverTLSOptions(options))
        : tls.connect({ ...clientTLSOptions(options), socket: plain });
      this.socket = secure;
      for (let i = this._corks; i > 0; i--) secure.cork();
      this._attach(secure);
      secure.on(asServer ? 'secure' : 'secureConnect', onSecure);
      const queued = this._preTLS!;
      this._preTLS = null;
      if (queued.length > 0) this.writeSequence(queued);
      if (this._producer !== null) this._hookDrain();
    };
    if (plain.writableLength === 0) wrap();
    else plain.once('drain', wrap);
  }

  /** True once TLS protects what is written: a TLS connection, or a plain one from its `startTLS` call on. */
  isSecure(): boolean {
    return this._preTLS !== null || (this.socket as tls.TLSSocket).encrypted === true;
  }

  /** The peer's certificate (Node's `PeerCertificate`), or null before/without TLS. */
  getPeerCertificate(): unknown {
    const s = this.socket as tls.TLSSocket;
    if (typeof s.getPeerCertificate !== 'function') return null;
    const cert = s.getPeerCertificate();
    return cert && Object.keys(cert).length > 0 ? cert : null;
  }

  /**
   * The TLS session to resume on another connection (Node's `tls.connect({ session })`), or null before
   * or without TLS. FTPS clients resume the control connection's session on data connections.
   */
  getTLSSession(): Uint8Array | null {
    const s = this.socket as tls.TLSSocket;
    return typeof s.getSession === 'function' ? (s.getSession() ?? null) : null;
  }

  /** The ALPN protocol agreed on, or null. */
  get negotiatedProtocol(): string | null {
    const p = (this.socket as tls.TLSSocket).alpnProtocol;
    return typeof p === 'string' ? p : null;
  }

  /** @internal the TLS handshake of `startTLS` finished. */
  _secured(): void {
    const p = this.protocol as OptionalHooks;
    try {
      p.handshakeCompleted?.();
    } catch (e) {
      this._failed('handshakeCompleted failed', e);
    }
  }

  abstract writeSequence(data: readonly Data[]): void;

  /** Starts listening to `socket`'s events for this transport. */
  protected abstract _attach(socket: Socket): void;

  /** Stops listening to `socket`'s events (the TLS socket takes over from the plain one). */
  protected abstract _detach(socket: Socket): void;

  /** Runs `fn` once `startTLS` has taken over (at once if none is pending). */
  protected _preTLSFlushThen(fn: () => void): void {
    if (this._preTLS === null) return fn();
    const old = this.socket;
    old.once('drain', () => queueMicrotask(fn));
  }
}
