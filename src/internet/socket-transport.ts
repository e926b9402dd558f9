/**
 * `SocketTransport`: the stream transport over a Node `net.Socket` (TCP, Unix) or `tls.TLSSocket` (TLS, and
 * TLS wrapped around any other transport). One class, so every stream transport behaves the same.
 *
 * It is built in layers, one file each: its state (transport-state.ts), the producer it consumes for
 * (backpressure.ts), half-close (half-close.ts), STARTTLS (starttls.ts), and here the connection itself.
 *
 * Hot-path rules: received Buffers go straight to `dataReceived`; the socket's event listeners are shared
 * functions (no closures per connection) that find their transport through a symbol on the socket.
 * @module
 */
import type { Socket } from 'node:net';
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from './error.js';
import { isHalfCloseable } from './half-close.js';
import type { Data, IAddress, IProtocol, IReadBuffer, ITLSTransport, IWriteFromBuffer } from './interfaces.js';
import { logError } from './log.js';
import type { ReactorResources } from './reactor-resources.js';
import { readSocketInto } from './read-buffer.js';
import { onClose, onData, onDrain, onEnd, onError, onFinish, tagSocket } from './socket-listeners.js';
import { StartTLSTransport } from './starttls.js';
import type { AddressPolicy, TransportContext, TransportOwner } from './transport-context.js';
import type { OptionalHooks } from './transport-state.js';

/**
 * A connected stream socket as a protocol sees it: an `ITLSTransport` (so also a consumer of producers and
 * itself a push producer for what it reads).
 */
export class SocketTransport extends StartTLSTransport implements ITLSTransport, IReadBuffer, IWriteFromBuffer {
  /**
   * @param socket a connected socket (a `TLSSocket` once its handshake is done, or in progress)
   * @param protocol the protocol it drives; call `start()` (or use `SocketTransport.connect`) to connect it
   * @param context a shared {@link TransportContext}, or just an address policy
   * @param resources the reactor's set of open things, when `context` is an address policy
   * @param owner told when the connection ends, when `context` is an address policy
   */
  constructor(socket: Socket, protocol: IProtocol, context: TransportContext | AddressPolicy, resources?: ReactorResources, owner?: TransportOwner) {
    super(socket, protocol, 'addresses' in context ? context : { addresses: context, resources, owner });
    this._attach(socket);
    this.context.resources?.add(this);
  }

  /** Creates the transport and calls `protocol.makeConnection` (errors there close the connection). */
  static connect(socket: Socket, protocol: IProtocol, context: TransportContext | AddressPolicy, resources?: ReactorResources, owner?: TransportOwner): SocketTransport {
    return new SocketTransport(socket, protocol, context, resources, owner).start();
  }

  /** Calls `protocol.makeConnection(this)`; an error there closes the connection. Returns this. */
  start(): this {
    try {
      this.protocol.makeConnection(this);
    } catch (e) {
      this._failed('connectionMade failed', e);
    }
    return this;
  }

  protected _attach(socket: Socket): void {
    tagSocket(socket, this);
    socket.on('data', onData);
    // Only a half-closeable protocol needs to hear the peer's FIN; for the rest Node itself ends our side
    // once what was written is flushed (per-socket allowHalfOpen), which saves a listener per connection.
    if (isHalfCloseable(this.protocol as OptionalHooks)) socket.on('end', onEnd);
    else socket.allowHalfOpen = false;
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  protected _detach(socket: Socket): void {
    tagSocket(socket, undefined);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('close', onClose);
    if (this._drainHooked) socket.off('drain', onDrain);
    if (this._finishHooked) socket.off('finish', onFinish);
    this._drainHooked = false;
    this._finishHooked = false;
  }

  // ------------------------------------------------------------ ITransport

  /** True once `loseConnection` or `abortConnection` has been called (or the connection is gone). */
  get disconnecting(): boolean {
    return this._disconnecting;
  }

  /** True once `connectionLost` has been delivered. */
  get disconnected(): boolean {
    return this._lost;
  }

  /** Queues `data` for sending. Writes after `loseConnection`'s flush began, or after close, are dropped. */
  write(data: Data): void {
    if (this._ended || this._lost || this.socket.writableEnded) return;
    if (this._preTLS) {
      this._preTLS.push(data);
      return;
    }
    const socket = this.socket;
    socket.write(data);
    if (this._producer !== null) this._afterProducerWrite(socket);
  }

  /**
   * Writes `data`, a buffer the protocol reuses (see `IWriteFromBuffer`): true when the system took every
   * byte, so the socket keeps no reference; false when the socket holds the rest until 'drain', a streaming
   * producer paused until then. A chunk under the socket's own high-water mark (which would not bring a
   * 'drain') and writes queued for `startTLS` are copied instead.
   */
  writeFromBuffer(data: Uint8Array): boolean {
    const socket = this.socket;
    if (this._preTLS !== null || data.length < socket.writableHighWaterMark) {
      this.write(Buffer.from(data));
      return true;
    }
    if (this._ended || this._lost || socket.writableEnded) return true;
    socket.write(data);
    if (socket.writableLength === 0) {
      if (this._producer !== null) this._afterProducerWrite(socket);
      return true;
    }
    this._holdProducer();
    return false;
  }

  /** Writes several chunks in one system call where the platform allows (corked, then `writev`). */
  writeSequence(data: readonly Data[]): void {
    if (this._ended || this._lost || this.socket.writableEnded) return;
    if (this._preTLS) {
      this._preTLS.push(...data);
      return;
    }
    const socket = this.socket;
    socket.cork();
    for (let i = 0; i < data.length; i++) socket.write(data[i]);
    socket.uncork();
    if (this._producer !== null) this._afterProducerWrite(socket);
  }

  /** Closes once everything written has been sent (and once a registered producer has unregistered). */
  loseConnection(): void {
    if (this._disconnecting || this._lost) return;
    this._disconnecting = true;
    if (this._producer !== null) {
      this._waitingForProducer = true;
      return;
    }
    this._endAndClose();
  }

  /** Closes at once, dropping whatever has not been sent; `connectionLost` gets `ConnectionAborted`. */
  abortConnection(): void {
    if (this._lost || this._aborted) return;
    this._aborted = true;
    this._disconnecting = true;
    this._preTLS = null;
    const socket = this.socket as Socket & { resetAndDestroy?: () => void };
    try {
      // After end(), Node 20's resetAndDestroy never emits 'close'; a plain destroy does.
      if (!socket.writableEnded && typeof socket.resetAndDestroy === 'function' && (socket as unknown as { _handle?: unknown })._handle) socket.resetAndDestroy();
      else socket.destroy();
    } catch {
      socket.destroy();
    }
  }

  getPeer(): IAddress {
    return this.addresses.peer(this.socket);
  }

  getHost(): IAddress {
    return this.addresses.host(this.socket);
  }

  setTcpNoDelay(enabled: boolean): void {
    this.socket.setNoDelay(enabled);
    this._noDelay = enabled;
  }

  getTcpNoDelay(): boolean {
    return this._noDelay;
  }

  setTcpKeepAlive(enabled: boolean, initialDelaySeconds = 0): void {
    this.socket.setKeepAlive(enabled, initialDelaySeconds * 1000);
    this._keepAlive = enabled;
  }

  getTcpKeepAlive(): boolean {
    return this._keepAlive;
  }

  // ------------------------------------------------------------ reading into one buffer

  /**
   * Reads into `buffer` from now on: `dataReceived` gets views of it, valid only during the call (see
   * `IReadBuffer`); bytes read before are delivered first, during this call. False, with nothing changed,
   * under TLS or a pending `startTLS`, or on a runtime that cannot.
   */
  readIntoBuffer(buffer: Uint8Array): boolean {
    if (this._lost || this.isSecure()) return false;
    if (!readSocketInto(this.socket, buffer, (view) => this._dataReceived(view as Buffer))) return false;
    this._readBuffer = true;
    return true;
  }

  // ------------------------------------------------------------ push producer (reading)

  /** Stops reading from the peer (TCP flow control then slows the peer down). */
  pauseProducing(): void {
    this.socket.pause();
  }

  /** Reads from the peer again. */
  resumeProducing(): void {
    // While startTLS waits to take over, the plain socket stays paused: what it reads belongs to TLS.
    if (!this._lost && this._preTLS === null) this.socket.resume();
  }

  /** Stops for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  // ------------------------------------------------------------ shutdown

  /** Closes for reactor shutdown; resolves once `connectionLost` has run. */
  closeForShutdown(): Promise<void> {
    if (this._lost) return Promise.resolve();
    this._closedDeferred ??= new Deferred<void>();
    const d = this._closedDeferred;
    this.loseConnection();
    if (this._waitingForProducer) this.abortConnection();
    return d.asPromise();
  }

  override toString(): string {
    return `<SocketTransport ${this.protocol.constructor.name}>`;
  }

  // ------------------------------------------------------------ socket events (called by the shared listeners)

  /** @internal */
  _dataReceived(data: Buffer): void {
    if (this._disconnecting) return;
    try {
      this.protocol.dataReceived(data);
    } catch (e) {
      this._failed('dataReceived failed', e);
    }
  }

  /** @internal */
  _errored(error: Error): void {
    this._error ??= error;
  }

  /** @internal user code threw: log it and drop the connection with that error as the reason. */
  _failed(where: string, error: unknown): void {
    logError(`${where} in ${this.protocol.constructor.name}; dropping the connection`, error);
    this._error ??= error instanceof Error ? error : new Error(String(error));
    this._disconnecting = true;
    this.socket.destroy();
  }

  /** @internal */
  _closed(): void {
    if (this._lost) return;
    this._lost = true;
    this._disconnecting = true;
    this._preTLS = null;
    if (this._extra?.linger !== undefined) clearTimeout(this._extra.linger);
    this._detach(this.socket);
    this.resources?.delete(this);
    const reason = this.#reason();
    const producer = this._producer;
    this._producer = null;
    if (producer !== null) {
      try {
        producer.stopProducing();
      } catch (e) {
        logError('stopProducing failed', e);
      }
    }
    try {
      this.protocol.connectionLost(reason);
    } catch (e) {
      logError(`connectionLost failed in ${this.protocol.constructor.name}`, e);
    }
    this.owner?.connectionEnded(this, reason);
    this._closedDeferred?.callback(undefined);
  }

  // ------------------------------------------------------------ internals

  #reason(): Failure {
    if (this._aborted) return new Failure(new ConnectionAborted());
    const e = this._error;
    if (e !== undefined) return new Failure(new ConnectionLost(`Connection lost: ${e.message}`, { cause: e }));
    return new Failure(new ConnectionDone());
  }

  protected _endAndClose(): void {
    if (this._lost) return;
    this._preTLSFlushThen(() => {
      if (this._lost) return;
      if (this._ended && this.socket.writableFinished) {
        this._linger();
        return;
      }
      this._hookFinish();
      if (!this._ended) {
        this._ended = true;
        this.socket.end();
      }
    });
  }
}
