/**
 * `SocketTransport`: the stream transport over a Node `net.Socket` (TCP, Unix) or `tls.TLSSocket` (TLS, and
 * TLS wrapped around any other transport). One class, so every stream transport behaves the same.
 *
 * Hot-path rules: received Buffers go straight to `dataReceived`; the socket's event listeners are shared
 * functions (no closures per connection) that find their transport through a symbol on the socket.
 * @module
 */
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from './error.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, ITLSTransport, TLSOptions } from './interfaces.js';
import { logError } from './log.js';
import type { ReactorResources } from './reactor-resources.js';
import { clientTLSOptions, serverTLSOptions } from './tls-options.js';

/** Default write-buffer high-water mark: a streaming producer is paused above it. */
export const HIGH_WATER = 64 * 1024;
/** Default low-water mark: a paused producer is resumed once the buffer is below it. */
export const LOW_WATER = 16 * 1024;

/** How a transport names its ends (shared by every connection of a port, so no per-connection closures). */
export interface AddressPolicy {
  host(socket: Socket): IAddress;
  peer(socket: Socket): IAddress;
}

/** Who is told when the connection ends (a connector tells its client factory). */
export interface TransportOwner {
  connectionEnded(transport: SocketTransport, reason: Failure): void;
}

/** The optional hooks of a protocol that the transport calls when present. */
interface OptionalHooks extends IProtocol {
  readConnectionLost?(): void;
  writeConnectionLost?(): void;
  handshakeCompleted?(): void;
}

/** State few connections ever need (TLS switch-over, errors, shutdown waits, custom water marks). */
interface Extra {
  highWater?: number;
  lowWater?: number;
  error?: Error;
  preTLS?: Data[] | null;
  closedDeferred?: Deferred<void>;
  producer?: IPushProducer | IPullProducer | null;
}

/** What the connections of one port (or one connector) share: naming, the reactor's registry, the owner. */
export interface TransportContext {
  readonly addresses: AddressPolicy;
  /** The reactor's set of open things (closed at shutdown), if any. */
  readonly resources?: ReactorResources;
  /** Told when the connection ends (the connector), if any. */
  readonly owner?: TransportOwner;
}

const kTransport = Symbol('torsion.transport');
type Tagged = Socket & { [kTransport]?: SocketTransport };

function onData(this: Tagged, data: Buffer): void {
  this[kTransport]?._dataReceived(data);
}
function onEnd(this: Tagged): void {
  this[kTransport]?._readEnded();
}
function onError(this: Tagged, error: Error): void {
  this[kTransport]?._errored(error);
}
function onClose(this: Tagged): void {
  this[kTransport]?._closed();
}
function onDrain(this: Tagged): void {
  this[kTransport]?._drained();
}
function onFinish(this: Tagged): void {
  this[kTransport]?._writeEnded();
}
function onSecure(this: Tagged): void {
  this[kTransport]?._secured();
}

function isHalfCloseable(p: OptionalHooks): boolean {
  return typeof p.readConnectionLost === 'function';
}

/**
 * A connected stream socket as a protocol sees it: an `ITLSTransport` (so also a consumer of producers and
 * itself a push producer for what it reads).
 */
export class SocketTransport implements ITLSTransport {
  /** The Node socket under it (replaced by a `TLSSocket` after `startTLS`). */
  socket: Socket;
  /** Thirteen booleans in one small integer: a server holds one transport per connection, so size matters. */
  #flags = 0;
  /** Rarely used state, allocated on first use. */
  #extra: Extra | undefined;

  /** Write-buffer size above which a streaming producer is paused (default 64 KiB). */
  get highWater(): number {
    return this.#extra?.highWater ?? HIGH_WATER;
  }
  set highWater(v: number) {
    (this.#extra ??= {}).highWater = v;
  }

  /** Buffer size below which it is resumed (default 16 KiB). Node sockets report "drained" at 0, below it. */
  get lowWater(): number {
    return this.#extra?.lowWater ?? LOW_WATER;
  }
  set lowWater(v: number) {
    (this.#extra ??= {}).lowWater = v;
  }

  /** Naming, registry and owner, shared by every connection of a port (one object, not three fields each). */
  readonly context: TransportContext;

  /**
   * @param socket a connected socket (a `TLSSocket` once its handshake is done, or in progress)
   * @param protocol the protocol it drives; call `start()` (or use `SocketTransport.connect`) to connect it
   * @param context a shared {@link TransportContext}, or just an address policy
   * @param resources the reactor's set of open things, when `context` is an address policy
   * @param owner told when the connection ends, when `context` is an address policy
   */
  constructor(socket: Socket, readonly protocol: IProtocol, context: TransportContext | AddressPolicy, resources?: ReactorResources, owner?: TransportOwner) {
    this.socket = socket;
    this.context = 'addresses' in context ? context : { addresses: context, resources, owner };
    this.#attach(socket);
    this.context.resources?.add(this);
  }

  /** How the two ends are named. */
  get addresses(): AddressPolicy {
    return this.context.addresses;
  }

  /** The reactor's registry this connection is in, if any. */
  get resources(): ReactorResources | undefined {
    return this.context.resources;
  }

  /** Told when the connection ends, if anyone. */
  get owner(): TransportOwner | undefined {
    return this.context.owner;
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

  #attach(socket: Socket): void {
    (socket as Tagged)[kTransport] = this;
    socket.on('data', onData);
    // Only a half-closeable protocol needs to hear the peer's FIN; for the rest Node itself ends our side
    // once what was written is flushed (per-socket allowHalfOpen), which saves a listener per connection.
    if (isHalfCloseable(this.protocol as OptionalHooks)) socket.on('end', onEnd);
    else socket.allowHalfOpen = false;
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  #detach(socket: Socket): void {
    (socket as Tagged)[kTransport] = undefined;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('close', onClose);
    if (this.#drainHooked) socket.off('drain', onDrain);
    if (this.#finishHooked) socket.off('finish', onFinish);
    this.#drainHooked = false;
    this.#finishHooked = false;
  }

  // ------------------------------------------------------------ ITransport

  /** True once `loseConnection` or `abortConnection` has been called (or the connection is gone). */
  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  /** True once `connectionLost` has been delivered. */
  get disconnected(): boolean {
    return this.#lost;
  }

  /** Queues `data` for sending. Writes after `loseConnection`'s flush began, or after close, are dropped. */
  write(data: Data): void {
    if (this.#ended || this.#lost || this.socket.writableEnded) return;
    if (this.#preTLS) {
      this.#preTLS.push(data);
      return;
    }
    const socket = this.socket;
    socket.write(data);
    if (this.#producer !== null) this.#afterProducerWrite(socket);
  }

  /** Writes several chunks in one system call where the platform allows (corked, then `writev`). */
  writeSequence(data: readonly Data[]): void {
    if (this.#ended || this.#lost || this.socket.writableEnded) return;
    if (this.#preTLS) {
      this.#preTLS.push(...data);
      return;
    }
    const socket = this.socket;
    socket.cork();
    for (let i = 0; i < data.length; i++) socket.write(data[i]);
    socket.uncork();
    if (this.#producer !== null) this.#afterProducerWrite(socket);
  }

  /** Closes once everything written has been sent (and once a registered producer has unregistered). */
  loseConnection(): void {
    if (this.#disconnecting || this.#lost) return;
    this.#disconnecting = true;
    if (this.#producer !== null) {
      this.#waitingForProducer = true;
      return;
    }
    this.#endAndClose();
  }

  /** Closes at once, dropping whatever has not been sent; `connectionLost` gets `ConnectionAborted`. */
  abortConnection(): void {
    if (this.#lost || this.#aborted) return;
    this.#aborted = true;
    this.#disconnecting = true;
    this.#preTLS = null;
    const socket = this.socket as Socket & { resetAndDestroy?: () => void };
    try {
      if (typeof socket.resetAndDestroy === 'function' && (socket as unknown as { _handle?: unknown })._handle) socket.resetAndDestroy();
      else socket.destroy();
    } catch {
      socket.destroy();
    }
  }

  /** Half-close: sends FIN after what was written, keeps reading. Calls `writeConnectionLost` when done. */
  loseWriteConnection(): void {
    if (this.#ended || this.#lost) return;
    this.#ended = true;
    this.#hookFinish();
    this.socket.end();
  }

  getPeer(): IAddress {
    return this.addresses.peer(this.socket);
  }

  getHost(): IAddress {
    return this.addresses.host(this.socket);
  }

  setTcpNoDelay(enabled: boolean): void {
    this.socket.setNoDelay(enabled);
    this.#noDelay = enabled;
  }

  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  setTcpKeepAlive(enabled: boolean, initialDelaySeconds = 0): void {
    this.socket.setKeepAlive(enabled, initialDelaySeconds * 1000);
    this.#keepAlive = enabled;
  }

  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  // ------------------------------------------------------------ consumer

  /** Registers a producer: streaming ones are paused/resumed by the buffer level, pull ones asked for more. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`cannot register producer ${producer} because ${this.#producer} is still registered`);
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    this.#hookDrain();
    if (streaming) {
      if (this.#buffered() > this.highWater) this.#pauseProducer();
    } else {
      this.#askPull();
    }
  }

  /** Forgets the producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
    if (this.#waitingForProducer) {
      this.#waitingForProducer = false;
      this.#endAndClose();
    }
  }

  // ------------------------------------------------------------ push producer (reading)

  /** Stops reading from the peer (TCP flow control then slows the peer down). */
  pauseProducing(): void {
    this.socket.pause();
  }

  /** Reads from the peer again. */
  resumeProducing(): void {
    // While startTLS waits to take over, the plain socket stays paused: what it reads belongs to TLS.
    if (!this.#lost && this.#preTLS === null) this.socket.resume();
  }

  /** Stops for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  // ------------------------------------------------------------ TLS

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
    if (this.#lost || this.#ended) throw new Error('startTLS: the connection is closing');
    const plain = this.socket;
    plain.pause();
    // Put back in front of what the socket has buffered; Node's TLS socket reads that buffer when it wraps.
    if (received !== undefined && received.length > 0) plain.unshift(Buffer.from(received.buffer, received.byteOffset, received.byteLength));
    this.#preTLS = [];
    const wrap = (): void => {
      if (this.#lost || this.#aborted) return;
      this.#detach(plain);
      const secure = asServer
        ? new tls.TLSSocket(plain, serverTLSOptions(options))
        : tls.connect({ ...clientTLSOptions(options), socket: plain });
      this.socket = secure;
      this.#attach(secure);
      secure.on(asServer ? 'secure' : 'secureConnect', onSecure);
      const queued = this.#preTLS!;
      this.#preTLS = null;
      if (queued.length > 0) this.writeSequence(queued);
      if (this.#producer !== null) this.#hookDrain();
    };
    if (plain.writableLength === 0) wrap();
    else plain.once('drain', wrap);
  }

  /** The peer's certificate (Node's `PeerCertificate`), or null before/without TLS. */
  getPeerCertificate(): unknown {
    const s = this.socket as tls.TLSSocket;
    if (typeof s.getPeerCertificate !== 'function') return null;
    const cert = s.getPeerCertificate();
    return cert && Object.keys(cert).length > 0 ? cert : null;
  }

  /** The ALPN protocol agreed on, or null. */
  get negotiatedProtocol(): string | null {
    const p = (this.socket as tls.TLSSocket).alpnProtocol;
    return typeof p === 'string' ? p : null;
  }

  // ------------------------------------------------------------ shutdown

  /** Closes for reactor shutdown; resolves once `connectionLost` has run. */
  closeForShutdown(): Promise<void> {
    if (this.#lost) return Promise.resolve();
    this.#closedDeferred ??= new Deferred<void>();
    const d = this.#closedDeferred;
    this.loseConnection();
    if (this.#waitingForProducer) this.abortConnection();
    return d.asPromise();
  }

  toString(): string {
    return `<SocketTransport ${this.protocol.constructor.name}>`;
  }

  // ------------------------------------------------------------ socket events (called by the shared listeners)

  /** @internal */
  _dataReceived(data: Buffer): void {
    if (this.#disconnecting) return;
    try {
      this.protocol.dataReceived(data);
    } catch (e) {
      this._failed('dataReceived failed', e);
    }
  }

  /** @internal the peer half-closed (only half-closeable protocols listen for it). */
  _readEnded(): void {
    this.#readClosed = true;
    if (this.#disconnecting) return;
    const p = this.protocol as OptionalHooks;
    try {
      p.readConnectionLost!();
    } catch (e) {
      this._failed('readConnectionLost failed', e);
      return;
    }
    if (this.#ended && this.socket.writableFinished) this.socket.destroy();
  }

  /** @internal */
  _errored(error: Error): void {
    this.#error ??= error;
  }

  /** @internal */
  _drained(): void {
    const producer = this.#producer;
    if (producer === null) return;
    if (this.#streaming) {
      if (this.#producerPaused) {
        this.#producerPaused = false;
        (producer as IPushProducer).resumeProducing();
      }
    } else {
      this.#askPull();
    }
  }

  /** @internal our side's FIN went out. */
  _writeEnded(): void {
    if (this.#disconnecting) {
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
    if (this.#readClosed) this.socket.destroy();
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

  /** @internal user code threw: log it and drop the connection with that error as the reason. */
  _failed(where: string, error: unknown): void {
    logError(`${where} in ${this.protocol.constructor.name}; dropping the connection`, error);
    this.#error ??= error instanceof Error ? error : new Error(String(error));
    this.#disconnecting = true;
    this.socket.destroy();
  }

  /** @internal */
  _closed(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#disconnecting = true;
    this.#preTLS = null;
    this.#detach(this.socket);
    this.resources?.delete(this);
    const reason = this.#reason();
    const producer = this.#producer;
    this.#producer = null;
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
    this.#closedDeferred?.callback(undefined);
  }

  // ------------------------------------------------------------ internals

  get #disconnecting(): boolean {
    return (this.#flags & 1) !== 0;
  }
  set #disconnecting(v: boolean) {
    this.#flags = v ? this.#flags | 1 : this.#flags & ~1;
  }

  get #lost(): boolean {
    return (this.#flags & 2) !== 0;
  }
  set #lost(v: boolean) {
    this.#flags = v ? this.#flags | 2 : this.#flags & ~2;
  }

  get #aborted(): boolean {
    return (this.#flags & 4) !== 0;
  }
  set #aborted(v: boolean) {
    this.#flags = v ? this.#flags | 4 : this.#flags & ~4;
  }

  get #ended(): boolean {
    return (this.#flags & 8) !== 0;
  }
  set #ended(v: boolean) {
    this.#flags = v ? this.#flags | 8 : this.#flags & ~8;
  }

  get #readClosed(): boolean {
    return (this.#flags & 16) !== 0;
  }
  set #readClosed(v: boolean) {
    this.#flags = v ? this.#flags | 16 : this.#flags & ~16;
  }

  get #streaming(): boolean {
    return (this.#flags & 32) !== 0;
  }
  set #streaming(v: boolean) {
    this.#flags = v ? this.#flags | 32 : this.#flags & ~32;
  }

  get #producerPaused(): boolean {
    return (this.#flags & 64) !== 0;
  }
  set #producerPaused(v: boolean) {
    this.#flags = v ? this.#flags | 64 : this.#flags & ~64;
  }

  get #pullScheduled(): boolean {
    return (this.#flags & 128) !== 0;
  }
  set #pullScheduled(v: boolean) {
    this.#flags = v ? this.#flags | 128 : this.#flags & ~128;
  }

  get #noDelay(): boolean {
    return (this.#flags & 256) !== 0;
  }
  set #noDelay(v: boolean) {
    this.#flags = v ? this.#flags | 256 : this.#flags & ~256;
  }

  get #keepAlive(): boolean {
    return (this.#flags & 512) !== 0;
  }
  set #keepAlive(v: boolean) {
    this.#flags = v ? this.#flags | 512 : this.#flags & ~512;
  }

  get #finishHooked(): boolean {
    return (this.#flags & 1024) !== 0;
  }
  set #finishHooked(v: boolean) {
    this.#flags = v ? this.#flags | 1024 : this.#flags & ~1024;
  }

  get #drainHooked(): boolean {
    return (this.#flags & 2048) !== 0;
  }
  set #drainHooked(v: boolean) {
    this.#flags = v ? this.#flags | 2048 : this.#flags & ~2048;
  }

  get #waitingForProducer(): boolean {
    return (this.#flags & 4096) !== 0;
  }
  set #waitingForProducer(v: boolean) {
    this.#flags = v ? this.#flags | 4096 : this.#flags & ~4096;
  }

  get #error(): Error | undefined {
    return this.#extra?.error ?? undefined;
  }
  set #error(v: Error | undefined) {
    if (v === undefined && this.#extra === undefined) return;
    (this.#extra ??= {}).error = v;
  }

  get #preTLS(): Data[] | null {
    return this.#extra?.preTLS ?? null;
  }
  set #preTLS(v: Data[] | null) {
    if (v === null && this.#extra === undefined) return;
    (this.#extra ??= {}).preTLS = v;
  }

  get #producer(): IPushProducer | IPullProducer | null {
    return this.#extra?.producer ?? null;
  }
  set #producer(v: IPushProducer | IPullProducer | null) {
    if (v === null && this.#extra === undefined) return;
    (this.#extra ??= {}).producer = v;
  }

  get #closedDeferred(): Deferred<void> | undefined {
    return this.#extra?.closedDeferred ?? undefined;
  }
  set #closedDeferred(v: Deferred<void> | undefined) {
    if (v === undefined && this.#extra === undefined) return;
    (this.#extra ??= {}).closedDeferred = v;
  }


  #reason(): Failure {
    if (this.#aborted) return new Failure(new ConnectionAborted());
    const e = this.#error;
    if (e !== undefined) return new Failure(new ConnectionLost(`Connection lost: ${e.message}`, { cause: e }));
    return new Failure(new ConnectionDone());
  }

  #endAndClose(): void {
    if (this.#lost) return;
    this.#preTLSFlushThen(() => {
      if (this.#lost) return;
      if (this.#ended && this.socket.writableFinished) {
        this.socket.destroy();
        return;
      }
      this.#hookFinish();
      if (!this.#ended) {
        this.#ended = true;
        this.socket.end();
      }
    });
  }

  /** Runs `fn` once `startTLS` has taken over (at once if none is pending). */
  #preTLSFlushThen(fn: () => void): void {
    if (this.#preTLS === null) return fn();
    const old = this.socket;
    old.once('drain', () => queueMicrotask(fn));
  }

  #buffered(): number {
    return this.socket.writableLength + (this.#preTLS ? this.#preTLS.length : 0);
  }

  #afterProducerWrite(socket: Socket): void {
    if (this.#streaming) {
      if (!this.#producerPaused && socket.writableLength > this.highWater) this.#pauseProducer();
    } else if (!socket.writableNeedDrain) {
      this.#askPull();
    }
  }

  #pauseProducer(): void {
    this.#producerPaused = true;
    (this.#producer as IPushProducer).pauseProducing();
  }

  /**
   * Asks a pull producer for one more chunk on the next turn. It is asked again after each write that the
   * socket took without needing to drain, or on 'drain'; a producer that writes nothing is not asked again.
   */
  #askPull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(() => {
      this.#pullScheduled = false;
      const producer = this.#producer;
      if (producer === null || this.#streaming || this.#lost) return;
      try {
        producer.resumeProducing();
      } catch (e) {
        this._failed('resumeProducing failed', e);
      }
    });
  }

  #hookDrain(): void {
    if (this.#drainHooked) return;
    this.#drainHooked = true;
    this.socket.on('drain', onDrain);
  }

  #hookFinish(): void {
    if (this.#finishHooked) return;
    this.#finishHooked = true;
    this.socket.on('finish', onFinish);
  }
}
