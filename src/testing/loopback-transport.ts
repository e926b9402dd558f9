/**
 * `LoopbackTransport`: one end of the in-memory connection `connectedServerAndClient` builds (Twisted's
 * `twisted.test.iosim.FakeTransport`). Writes are buffered until an `IOPump` moves them to the other end, so
 * a test decides when bytes travel; backpressure, half-close, abort and STARTTLS behave as on a socket.
 * @module
 */
import { Failure } from '../defer/index.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../internet/error.js';
import { writeBufferLimits } from '../internet/capabilities.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, ITLSTransport, TLSOptions, WriteBufferLimits } from '../internet/interfaces.js';
import { toBytes } from './bytes.js';
import type { TLSLayer, TLSLayerFactory } from './tls-layer.js';

/** The optional hooks of a protocol that the transport calls when present (as the socket transport does). */
interface OptionalHooks extends IProtocol {
  readConnectionLost?(): void;
  writeConnectionLost?(): void;
  handshakeCompleted?(): void;
}

/** Settings shared by both ends of a loopback. */
export interface LoopbackSettings {
  /** Outgoing bytes above which a streaming producer is paused (default 64 KiB). */
  highWaterMark: number;
  /** Outgoing bytes at or below which a paused producer is resumed (default 16 KiB). */
  lowWaterMark: number;
  /** Hand the protocol at most this many bytes per `dataReceived` (default: all that is pending at once). */
  chunkSize: number;
  /** How `startTLS` encrypts (default Node's TLS). */
  tlsLayer: TLSLayerFactory;
  /** Told whenever something changed that a pump may need to move. */
  notify(): void;
  /** Told when an end has delivered `connectionLost`. */
  lost(end: LoopbackTransport): void;
  /** Told when a protocol threw outside a pump (from a TLS event): the pump rethrows it. */
  protocolError(error: unknown): void;
}

/**
 * One end of an in-memory connection: an `ITLSTransport` (so also a consumer of producers and itself a
 * push producer for what it reads). Created in pairs by `connectedServerAndClient` / `loopbackAsync`.
 */
export class LoopbackTransport implements ITLSTransport {
  /** The protocol at this end. */
  protocol!: IProtocol;
  /** The other end. */
  peer!: LoopbackTransport;
  /** True once `loseConnection` or `abortConnection` was called (or the connection ended). */
  disconnecting = false;
  /** True once this end's protocol was told `connectionLost`. */
  disconnected = false;
  /** True while the protocol has paused reading (`pauseProducing`). */
  readPaused = false;
  /** Called after this end's protocol was told `connectionLost` (a fake connector tells its factory). */
  onConnectionLost: ((reason: Failure) => void) | null = null;
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #producerPaused = false;
  #needPull = false;
  #aborting = false;
  #writeClosing = false;
  #writeShut = false;
  #readShut = false;
  #tls: TLSLayer | null = null;
  #plainWhilePaused: Uint8Array[] = [];
  // The peer closed while this end still held bytes it had paused before reading: as on a real socket, the
  // end of the stream comes after them.
  #lostAfterHeld: Error | null = null;
  /** This end's marks, once `setWriteBufferLimits` was called (else the loopback's settings). */
  #limits: WriteBufferLimits | null = null;
  #noDelay = false;
  #keepAlive = false;

  constructor(
    readonly hostAddress: IAddress,
    readonly peerAddress: IAddress,
    readonly settings: LoopbackSettings,
  ) {}

  // ------------------------------------------------------------ ITransport

  /** Queues `data` for the peer (strings as UTF-8). Ignored once the writing side is closing, as Twisted does. */
  write(data: Data): void {
    // A producer still registered after loseConnection keeps writing until it unregisters (Twisted's rule).
    if ((this.disconnecting && (this.#producer === null || this.#aborting)) || this.#writeClosing || this.disconnected) return;
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    if (this.#tls) this.#tls.write(bytes);
    else this.#send(bytes);
  }

  /** Queues the chunks: the peer gets them with whatever else was written before the next pump. */
  writeSequence(data: readonly Data[]): void {
    for (const chunk of data) this.write(chunk);
  }

  /**
   * Batching has nothing to save here: there are no system calls, and the peer gets everything written
   * between two pumps in one `dataReceived` anyway. So `cork` holds nothing back, and a test that pumps
   * right after a corked burst sees it (as it would once a socket is uncorked), without waiting for a tick.
   */
  cork(): void {}

  uncork(): void {}

  /** Closes once what was written has been delivered; both ends then get `connectionLost(ConnectionDone)`. */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.settings.notify();
  }

  /** Closes at the next pump, dropping what is still buffered: `ConnectionAborted` here, `ConnectionLost` at the peer. */
  abortConnection(): void {
    if (this.disconnected) return;
    this.disconnecting = true;
    this.#aborting = true;
    this.settings.notify();
  }

  /** Half-close: once what was written is delivered, the peer's `readConnectionLost` runs (a peer without it closes). */
  loseWriteConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.#writeClosing = true;
    this.settings.notify();
  }

  getPeer(): IAddress {
    return this.peerAddress;
  }

  getHost(): IAddress {
    return this.hostAddress;
  }

  // ------------------------------------------------------------ consumer

  /**
   * Registers the producer writing into this transport. A streaming one is paused while more than
   * `highWaterMark` bytes wait for the peer; a pull one is asked for more whenever the buffer empties.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`Cannot register producer ${producer}, because producer ${this.#producer} was never unregistered.`);
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (!streaming) producer.resumeProducing();
    else if (this.getWriteBufferSize() > this.#high()) this.#pauseProducer();
  }

  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
    this.#needPull = false;
  }

  /** The registered producer, if any. */
  get producer(): IPushProducer | IPullProducer | null {
    return this.#producer;
  }

  /** True while the registered streaming producer is paused by backpressure. */
  get producerPaused(): boolean {
    return this.#producerPaused;
  }

  /** Bytes written and not yet delivered to the peer. */
  get bufferedBytes(): number {
    return this.#outBytes;
  }

  /** Bytes written and not yet delivered to the peer, plaintext TLS has not yet turned into records included. */
  getWriteBufferSize(): number {
    return this.#outBytes + (this.#tls?.pendingBytes ?? 0);
  }

  /** Sets this end's marks (the loopback's `highWaterMark`/`lowWaterMark` otherwise). */
  setWriteBufferLimits(high?: number, low?: number): void {
    this.#limits = writeBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#limits ?? { high: this.settings.highWaterMark, low: this.settings.lowWaterMark };
  }

  // ------------------------------------------------------------ push producer (reading)

  /** Stops delivering to this end's protocol; the peer's writes pile up (and pause its producer). */
  pauseProducing(): void {
    this.readPaused = true;
  }

  /** Reads again from the next pump on (not re-entrantly: the protocol is not called back from inside this call). */
  resumeProducing(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.settings.notify();
  }

  /** As on a socket: stops reading for good by closing. */
  stopProducing(): void {
    this.loseConnection();
  }

  // ------------------------------------------------------------ TCP and TLS

  /**
   * Switches this end to TLS (STARTTLS): bytes written before stay before and in clear, later ones are
   * encrypted; `received` (bytes already delivered that belong to TLS) is fed to TLS first. Node's TLS is
   * asynchronous: drive the loopback with `await pump.settle()` from here on.
   */
  startTLS(options: TLSOptions, asServer = false, received?: Uint8Array): void {
    if (this.#tls) throw new Error('startTLS: TLS is already started on this connection');
    if (this.disconnecting || this.disconnected) throw new Error('startTLS: the connection is closing');
    this.#tls = this.settings.tlsLayer(options, asServer, {
      sendRaw: (data) => this.#send(data),
      deliver: (data) => this.#guard(() => this.#deliverPlain(data)),
      handshakeDone: () => {
        this.#guard(() => {
          if (!this.disconnected) (this.protocol as OptionalHooks).handshakeCompleted?.();
        });
        this.settings.notify();
      },
      error: (error) => this.#fail(error),
    });
    if (received !== undefined && received.length > 0) this.#tls.receive(received);
  }

  /** True from `startTLS` (or `options.tls`) on. */
  isSecure(): boolean {
    return this.#tls !== null;
  }

  getPeerCertificate(): unknown {
    return this.#tls?.getPeerCertificate() ?? null;
  }

  get negotiatedProtocol(): string | null {
    return this.#tls?.negotiatedProtocol ?? null;
  }

  /** True once `startTLS` was called on this end. */
  get tlsStarted(): boolean {
    return this.#tls !== null;
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#noDelay = enabled;
  }

  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  setTcpKeepAlive(enabled: boolean): void {
    this.#keepAlive = enabled;
  }

  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  // ------------------------------------------------------------ driven by IOPump

  /** @internal Takes the bytes the peer may receive now (none while it is paused); resumes or asks the producer. */
  takeOutgoing(): Buffer | null {
    const peer = this.peer;
    if (this.#outBytes === 0 || peer.readPaused || peer.disconnected || peer.#readShut) return null;
    const data = Buffer.concat(this.#out);
    this.#out = [];
    this.#outBytes = 0;
    if (this.#producerPaused) {
      this.#producerPaused = false;
      (this.#producer as IPushProducer).resumeProducing();
    } else if (this.#producer !== null && !this.#streaming) {
      this.#needPull = true;
    }
    return data;
  }

  /** @internal Hands the protocol what was held while it paused reading; true if anything was delivered. */
  deliverHeld(): boolean {
    if (this.#plainWhilePaused.length === 0 || this.readPaused || this.disconnected) return false;
    const data = Buffer.concat(this.#plainWhilePaused);
    this.#plainWhilePaused = [];
    this.#feed(data);
    return true;
  }

  /** @internal A pull producer is asked for more once what it wrote was delivered. */
  pullProducer(): void {
    if (!this.#needPull) return;
    this.#needPull = false;
    if (this.#producer !== null && !this.#streaming && this.#outBytes === 0 && !this.disconnected) this.#producer.resumeProducing();
  }

  /** @internal Bytes from the peer arrive: through TLS if started, then to the protocol in `chunkSize` pieces. */
  receive(data: Buffer): void {
    if (this.disconnected) return;
    if (this.#tls) {
      this.#tls.receive(data);
      return;
    }
    this.#deliverPlain(data);
  }

  /** @internal Runs a pending abort; true if one ran. */
  runAbort(): boolean {
    if (!this.#aborting || this.disconnected) return false;
    this.#out = [];
    this.#outBytes = 0;
    this.peer.#out = [];
    this.peer.#outBytes = 0;
    this.connectionLost(new ConnectionAborted());
    this.peer.connectionLost(new ConnectionLost('Connection to the other side was lost: the peer aborted it.'));
    return true;
  }

  /** @internal Runs a pending close or half-close once this end's bytes are all out; true if anything changed. */
  runClose(): boolean {
    if (this.#lostAfterHeld !== null && this.#plainWhilePaused.length === 0 && !this.disconnected) {
      this.connectionLost(this.#lostAfterHeld);
      return true;
    }
    if (this.disconnected || this.#outBytes > 0 || (this.#tls !== null && !this.#tls.idle)) return false;
    if (this.disconnecting) {
      if (this.#producer !== null) return false; // loseConnection waits for the producer to unregister, as Twisted's
      this.connectionLost(new ConnectionDone());
      this.peer.#loseAfterHeld(new ConnectionDone());
      return true;
    }
    if (this.#writeClosing && !this.#writeShut) {
      this.#writeShut = true;
      const peer = this.peer;
      const peerProtocol = peer.protocol as OptionalHooks;
      if (typeof peerProtocol.readConnectionLost !== 'function' || peer.#writeShut) {
        this.connectionLost(new ConnectionDone());
        peer.#loseAfterHeld(new ConnectionDone());
        return true;
      }
      peer.#readShut = true;
      (this.protocol as OptionalHooks).writeConnectionLost?.();
      peerProtocol.readConnectionLost();
      return true;
    }
    return false;
  }

  #loseAfterHeld(reason: Error): void {
    if (this.#plainWhilePaused.length > 0 && !this.disconnected) this.#lostAfterHeld = reason;
    else this.connectionLost(reason);
  }

  /** @internal Ends this side: stops the producer, drops TLS and tells the protocol, once. */
  connectionLost(reason: Error): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.disconnecting = true;
    this.#out = [];
    this.#outBytes = 0;
    this.#plainWhilePaused = [];
    this.#tls?.destroy();
    const producer = this.#producer;
    this.#producer = null;
    producer?.stopProducing();
    const failure = new Failure(reason);
    this.protocol.connectionLost(failure);
    this.onConnectionLost?.(failure);
    this.settings.lost(this);
  }

  // ------------------------------------------------------------ internals

  #send(bytes: Uint8Array): void {
    if (this.disconnected) return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (this.#streaming && this.#producer !== null && !this.#producerPaused && this.#outBytes > this.#high()) this.#pauseProducer();
    this.settings.notify();
  }

  #high(): number {
    return this.#limits?.high ?? this.settings.highWaterMark;
  }

  #pauseProducer(): void {
    this.#producerPaused = true;
    (this.#producer as IPushProducer).pauseProducing();
  }

  #deliverPlain(data: Uint8Array): void {
    if (this.disconnected) return;
    if (this.readPaused || this.#plainWhilePaused.length > 0) this.#plainWhilePaused.push(data);
    else this.#feed(data);
  }

  /** Calls `dataReceived` in `chunkSize` pieces; if the protocol pauses part-way, the rest waits for `resumeProducing`. */
  #feed(data: Uint8Array): void {
    const size = this.settings.chunkSize;
    if (data.length <= size) {
      this.protocol.dataReceived(data);
      return;
    }
    for (let i = 0; i < data.length && !this.disconnected; i += size) {
      if (this.readPaused) {
        this.#plainWhilePaused.push(data.subarray(i));
        return;
      }
      this.protocol.dataReceived(data.subarray(i, i + size));
    }
  }

  /** Runs protocol code called from a TLS event, where a throw would otherwise crash the process. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.settings.protocolError(error);
    }
  }

  /** A TLS error ends both sides: the error here, `ConnectionLost` caused by it at the peer. */
  #fail(error: Error): void {
    if (this.disconnected) return;
    this.connectionLost(error);
    this.peer.connectionLost(new ConnectionLost(`the peer's TLS failed: ${error.message}`, { cause: error }));
  }
}
