/**
 * An in-memory stream connection: two `MemoryTransport`s, each handing what its protocol writes to the
 * other end on a later turn of the event loop. `Site.request` runs a real `HTTPChannel` over one, so a
 * request without a socket exercises the same code a socket does. It behaves as every stream transport
 * does (the conformance suite runs over it): backpressure, half-close, abort, batching.
 * @module
 */
import { Failure } from '../defer/index.js';
import { PipeAddress } from '../internet/address.js';
import { writeBufferLimits } from '../internet/capabilities.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../internet/error.js';
import type { Data, IAddress, IHalfCloseableProtocol, IProtocol, IPullProducer, IPushProducer, ITCPTransport, WriteBufferLimits } from '../internet/interfaces.js';
import { logError } from '../internet/log.js';

const encoder = new TextEncoder();

/** One end of an in-memory connection; make them in pairs with {@link MemoryTransport.pair}. */
export class MemoryTransport implements ITCPTransport {
  /** The other end. */
  peer!: MemoryTransport;
  /** True once `loseConnection` or `abortConnection` was called (or the connection ended). */
  disconnecting = false;
  /** True once this end's protocol was told `connectionLost`. */
  disconnected = false;
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #readPaused = false;
  #scheduled = false;
  #corks = 0;
  #limits: WriteBufferLimits = writeBufferLimits();
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #producerPaused = false;
  #aborting = false;
  /** `loseWriteConnection` was called: our FIN goes once `#out` is empty. */
  #writeClosing = false;
  #writeShut = false;
  #readShut = false;
  #noDelay = false;
  #keepAlive = false;

  private constructor(
    readonly protocol: IProtocol,
    readonly host: IAddress,
  ) {}

  /**
   * Connects `server` and `client` in memory: both get `makeConnection` now (the server first), and bytes
   * move on later turns of the event loop. Returns the server's end and the client's.
   */
  static pair(server: IProtocol, client: IProtocol, addresses: { server?: IAddress; client?: IAddress } = {}): [MemoryTransport, MemoryTransport] {
    const s = new MemoryTransport(server, addresses.server ?? new PipeAddress());
    const c = new MemoryTransport(client, addresses.client ?? new PipeAddress());
    s.peer = c;
    c.peer = s;
    s.#start();
    c.#start();
    return [s, c];
  }

  // ------------------------------------------------------------ ITransport

  /** Queues `data` for the other end. Ignored once the writing side is closed. */
  write(data: Data): void {
    if (this.#writeClosing || this.disconnected || this.#aborting || (this.disconnecting && this.#producer === null)) return;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (bytes.length === 0) return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    const producer = this.#producer;
    if (producer !== null && this.#streaming && !this.#producerPaused && this.#outBytes > this.#limits.high) {
      this.#producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
    this.#schedule();
  }

  /** Queues the chunks as one batch: the other end gets them in one `dataReceived`. */
  writeSequence(data: readonly Data[]): void {
    this.cork();
    for (const d of data) this.write(d);
    this.uncork();
  }

  /** Holds what is written until the matching `uncork()`. */
  cork(): void {
    this.#corks++;
  }

  uncork(): void {
    if (this.#corks === 0) return;
    if (--this.#corks === 0) this.#schedule();
  }

  /** Closes once what was written has been delivered (and a registered producer has unregistered). */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.#corks = 0;
    this.#schedule();
  }

  /** Closes at once, dropping what is not delivered: `ConnectionAborted` here, `ConnectionLost` at the other end. */
  abortConnection(): void {
    if (this.disconnected || this.#aborting) return;
    this.disconnecting = true;
    this.#aborting = true;
    this.#schedule();
  }

  /** Half-close: once what was written is delivered, the other end's `readConnectionLost` runs. */
  loseWriteConnection(): void {
    if (this.disconnecting || this.disconnected || this.#writeClosing) return;
    this.#writeClosing = true;
    this.#corks = 0;
    this.#schedule();
  }

  getPeer(): IAddress {
    return this.peer.host;
  }

  getHost(): IAddress {
    return this.host;
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

  // ------------------------------------------------------------ write buffer and producers

  /** Bytes written and not yet delivered to the other end. */
  getWriteBufferSize(): number {
    return this.#outBytes;
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#limits = writeBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#limits;
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`cannot register producer ${producer} because ${this.#producer} is still registered`);
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (streaming) {
      if (this.#outBytes > this.#limits.high) {
        this.#producerPaused = true;
        (producer as IPushProducer).pauseProducing();
      }
    } else {
      this.#schedulePull();
    }
  }

  /** Forgets the producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
    if (this.disconnecting) this.#schedule();
  }

  /** Stops delivering to this end's protocol; the other end's writes wait (and pause its producer). */
  pauseProducing(): void {
    this.#readPaused = true;
  }

  resumeProducing(): void {
    if (!this.#readPaused) return;
    this.#readPaused = false;
    this.peer.#schedule();
  }

  /** Stops for good: closes. */
  stopProducing(): void {
    this.loseConnection();
  }

  // ------------------------------------------------------------ internals

  #start(): void {
    try {
      this.protocol.makeConnection(this);
    } catch (e) {
      this.#failed('connectionMade failed', e);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.disconnected) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#turn();
    });
  }

  /** One turn: an abort, else the bytes the other end may take now, else a pending close or half-close. */
  #turn(): void {
    if (this.disconnected) return;
    const peer = this.peer;
    if (this.#aborting) {
      this.#out = [];
      this.#outBytes = 0;
      this.#lost(new ConnectionAborted());
      peer.#lost(new ConnectionLost('Connection to the other side was lost: the peer aborted it.'));
      return;
    }
    if (this.#outBytes > 0 && this.#corks === 0 && !peer.#readPaused && !peer.#readShut && !peer.disconnected) {
      const data = this.#out.length === 1 ? this.#out[0]! : concat(this.#out, this.#outBytes);
      this.#out = [];
      this.#outBytes = 0;
      peer.#deliver(data);
      this.#drained();
      if (this.#outBytes > 0) return;
    }
    if (this.#outBytes > 0) return;
    if (this.disconnecting) {
      if (this.#producer !== null) return;
      this.#lost(new ConnectionDone());
      peer.#lost(new ConnectionDone());
      return;
    }
    if (this.#writeClosing && !this.#writeShut) this.#shutWrite();
  }

  #deliver(data: Uint8Array): void {
    if (this.disconnected || this.disconnecting) return;
    try {
      this.protocol.dataReceived(data);
    } catch (e) {
      this.#failed('dataReceived failed', e);
    }
  }

  /** What was written has been delivered: resume a paused push producer, or ask a pull producer for more. */
  #drained(): void {
    const producer = this.#producer;
    if (producer === null || this.disconnected) return;
    if (!this.#streaming) {
      this.#schedulePull();
      return;
    }
    if (!this.#producerPaused || this.#outBytes > this.#limits.low) return;
    this.#producerPaused = false;
    producer.resumeProducing();
  }

  #schedulePull(): void {
    setImmediate(() => {
      const producer = this.#producer;
      if (producer === null || this.#streaming || this.disconnected || this.#outBytes > this.#limits.low) return;
      try {
        producer.resumeProducing();
      } catch (e) {
        this.#failed('resumeProducing failed', e);
      }
    });
  }

  #shutWrite(): void {
    this.#writeShut = true;
    const peer = this.peer;
    const peerProtocol = peer.protocol as Partial<IHalfCloseableProtocol>;
    if (typeof peerProtocol.readConnectionLost !== 'function' || peer.#writeShut) {
      this.#lost(new ConnectionDone());
      peer.#lost(new ConnectionDone());
      return;
    }
    peer.#readShut = true;
    try {
      (this.protocol as Partial<IHalfCloseableProtocol>).writeConnectionLost?.();
      peerProtocol.readConnectionLost();
    } catch (e) {
      logError('half-close failed', e);
    }
  }

  #failed(where: string, error: unknown): void {
    logError(`${where} in ${this.protocol.constructor.name}; dropping the connection`, error);
    const e = error instanceof Error ? error : new Error(String(error));
    this.#lost(new ConnectionLost(`Connection lost: ${e.message}`, { cause: e }));
    this.peer.#lost(new ConnectionLost('Connection to the other side was lost.'));
  }

  #lost(reason: Error): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.disconnecting = true;
    this.#out = [];
    this.#outBytes = 0;
    const producer = this.#producer;
    this.#producer = null;
    try {
      producer?.stopProducing();
    } catch (e) {
      logError('stopProducing failed', e);
    }
    try {
      this.protocol.connectionLost(new Failure(reason));
    } catch (e) {
      logError(`connectionLost failed in ${this.protocol.constructor.name}`, e);
    }
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
