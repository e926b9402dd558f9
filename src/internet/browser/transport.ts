/**
 * A stream transport over a browser `WebSocket`: each write goes out as binary messages, each message in
 * is handed to `dataReceived`, so a Torsion protocol written for TCP runs unchanged over it. Backpressure
 * on writing follows the socket's `bufferedAmount` (the WebSocket API has no drain event, so it is polled
 * on the reactor while a producer waits).
 * @module
 */
import { Failure } from '../../defer/index.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../error.js';
import { HIGH_WATER, LOW_WATER, writeBufferLimits } from '../capabilities.js';
import type { Data, IAddress, IDelayedCall, IProtocol, IPullProducer, IPushProducer, IReactorTime, IStreamTransport, WriteBufferLimits } from '../interfaces.js';
import { Logger } from '../../logger/index.js';
import { concatBytes, toBytes } from '../bytes.js';
import { WebSocketAddress, pageAddress } from './address.js';
import type { WebSocketCloseLike, WebSocketLike, WebSocketMessageLike } from './interfaces.js';
import { browserReactor } from './reactor.js';

const log = new Logger({ namespace: 'torsion.live.loop' });

/** A producer is paused once more than `HIGH_WATER` bytes wait in the socket, resumed at `LOW_WATER` (every transport's marks). */
export { HIGH_WATER, LOW_WATER };
/** Writes are split into messages of at most this size, well under any server's message limit. */
export const MAX_MESSAGE_SIZE = 64 * 1024;

/** Tuning of a {@link WebSocketStreamTransport}; the defaults suit most pages. */
export interface StreamTransportOptions {
  /** Schedules the drain polls (the page's shared reactor by default). */
  reactor?: IReactorTime;
  /** Bytes buffered in the socket above which a streaming producer is paused (default 64 KiB). */
  highWater?: number;
  /** Bytes below which it is resumed (default 16 KiB). */
  lowWater?: number;
  /** Largest binary message sent; longer writes are split (default 64 KiB). */
  maxMessageSize?: number;
  /** Seconds between `bufferedAmount` checks while a producer waits (default 0.01). */
  pollInterval?: number;
  /** Called after the protocol's `connectionLost` (the connector uses it). */
  onLost?: (reason: Failure) => void;
}

const encoder = new TextEncoder();

function messageBytes(data: WebSocketMessageLike['data']): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('WebSocket delivered a Blob: binaryType must be "arraybuffer"');
}

/**
 * `ITransport`, `IConsumer` and `IPushProducer` over an open WebSocket. The browser cannot stop a
 * WebSocket from reading, so `pauseProducing` holds arriving messages (and a close) until
 * `resumeProducing`; the server side of the bridge is where reading really stops.
 *
 * Call order, as for TCP: `makeConnection -> connectionMade -> dataReceived* -> connectionLost`, where
 * `connectionLost` gets `ConnectionDone` for a clean close (codes 1000 and 1001), `ConnectionAborted`
 * after `abortConnection`, and `ConnectionLost` naming the close code otherwise.
 */
export class WebSocketStreamTransport implements IStreamTransport {
  readonly #reactor: IReactorTime;
  #highWater: number;
  #lowWater: number;
  readonly #maxMessageSize: number;
  readonly #pollInterval: number;
  readonly #onLost: ((reason: Failure) => void) | undefined;
  #disconnecting = false;
  #closing = false;
  #lost = false;
  #aborted = false;
  #readPaused = false;
  #held: Uint8Array[] = [];
  #heldClose: WebSocketCloseLike | null = null;
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #producerPaused = false;
  #waitingForProducer = false;
  #poll: IDelayedCall | null = null;
  #pull: IDelayedCall | null = null;
  #corks = 0;
  /** What was written while corked, sent on the last `uncork()`. */
  #corked: Uint8Array[] = [];
  #corkedBytes = 0;

  /**
   * Takes over `socket`'s event handlers; call {@link start} to connect `protocol`.
   * @param socket an open WebSocket
   * @param protocol the protocol to run over it
   */
  constructor(
    readonly socket: WebSocketLike,
    readonly protocol: IProtocol,
    options: StreamTransportOptions = {},
  ) {
    this.#reactor = options.reactor ?? browserReactor();
    const limits = writeBufferLimits(options.highWater ?? HIGH_WATER, options.lowWater ?? LOW_WATER);
    this.#highWater = limits.high;
    this.#lowWater = limits.low;
    this.#maxMessageSize = options.maxMessageSize ?? MAX_MESSAGE_SIZE;
    this.#pollInterval = options.pollInterval ?? 0.01;
    this.#onLost = options.onLost;
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => this.#messageReceived(event);
    socket.onclose = (event) => this.#socketClosed(event);
    // A close event always follows an error event, and it carries the code.
    socket.onerror = () => {};
  }

  /** Hands the transport to the protocol (`makeConnection`, hence `connectionMade`). */
  start(): void {
    this.protocol.makeConnection(this);
  }

  /** True once `loseConnection` or `abortConnection` has been called (or the connection is gone). */
  get disconnecting(): boolean {
    return this.#disconnecting || this.#lost;
  }

  /** True once `connectionLost` has been delivered. */
  get disconnected(): boolean {
    return this.#lost;
  }

  /** Sends `data` as one or more binary messages (strings as UTF-8). Dropped once the close has begun. */
  write(data: Data): void {
    if (this.#closing || this.#lost) return;
    const bytes = toBytes(data);
    if (this.#corks > 0) {
      this.#corked.push(bytes);
      this.#corkedBytes += bytes.length;
      if (this.#producer !== null) this.#afterProducerWrite();
      return;
    }
    const max = this.#maxMessageSize;
    if (bytes.length <= max) this.socket.send(bytes);
    else for (let i = 0; i < bytes.length; i += max) this.socket.send(bytes.subarray(i, i + max));
    if (this.#producer !== null) this.#afterProducerWrite();
  }

  /** Sends the pieces together, as one message where they fit. */
  writeSequence(data: readonly Data[]): void {
    this.write(concatBytes(data.map(toBytes)));
  }

  /** Holds writes until the matching `uncork()`, which sends them together (as one message where they fit). */
  cork(): void {
    if (!this.#lost) this.#corks++;
  }

  uncork(): void {
    if (this.#corks === 0 || --this.#corks > 0) return;
    this.#flushCorked();
  }

  /** Bytes the socket has not sent yet (`bufferedAmount`), corked ones included. */
  getWriteBufferSize(): number {
    return this.socket.bufferedAmount + this.#corkedBytes;
  }

  /** Sets the marks a registered producer is paused above and resumed at (see `IWriteBuffer`). */
  setWriteBufferLimits(high?: number, low?: number): void {
    const limits = writeBufferLimits(high, low);
    this.#highWater = limits.high;
    this.#lowWater = limits.low;
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return { high: this.#highWater, low: this.#lowWater };
  }

  /** Closes (code 1000) after what was written, and once a registered producer has unregistered. */
  loseConnection(): void {
    if (this.#disconnecting || this.#lost) return;
    this.#disconnecting = true;
    this.#corks = 0;
    this.#flushCorked();
    this.#readPaused = false;
    this.#held = [];
    if (this.#heldClose !== null) {
      this.#socketClosed(this.#heldClose);
      return;
    }
    if (this.#producer !== null) {
      this.#waitingForProducer = true;
      return;
    }
    this.#close();
  }

  /**
   * Closes at once. A browser cannot drop what the socket has buffered, but the protocol hears nothing
   * more: `connectionLost(ConnectionAborted)` follows on the next turn of the reactor.
   */
  abortConnection(): void {
    if (this.#lost || this.#aborted) return;
    this.#aborted = true;
    this.#disconnecting = true;
    this.#close();
    this.#reactor.callLater(0, () => this.#connectionLost(new Failure(new ConnectionAborted())));
  }

  /** The server's WebSocket URL. */
  getPeer(): IAddress {
    return new WebSocketAddress(this.socket.url);
  }

  /** The page's URL. */
  getHost(): IAddress {
    return pageAddress();
  }

  /** Registers a producer: a streaming one is paused and resumed by `bufferedAmount`, a pull one asked for more. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`cannot register producer ${producer} because ${this.#producer} is still registered`);
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    this.#afterProducerWrite();
  }

  /** Forgets the producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
    this.#stopTimers();
    if (this.#waitingForProducer) {
      this.#waitingForProducer = false;
      this.#close();
    }
  }

  /** Holds arriving messages (and a close) until `resumeProducing`. */
  pauseProducing(): void {
    if (!this.#lost) this.#readPaused = true;
  }

  /** Delivers what was held, then reads on. */
  resumeProducing(): void {
    if (!this.#readPaused) return;
    this.#readPaused = false;
    while (this.#held.length > 0 && !this.#readPaused) this.#deliver(this.#held.shift()!);
    if (!this.#readPaused && this.#heldClose !== null) this.#socketClosed(this.#heldClose);
  }

  /** Stops for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  #flushCorked(): void {
    if (this.#corkedBytes === 0) return;
    const held = this.#corked;
    this.#corked = [];
    this.#corkedBytes = 0;
    this.write(held.length === 1 ? held[0]! : concatBytes(held));
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#stopTimers();
    try {
      this.socket.close(1000);
    } catch (e) {
      log.failure('closing the WebSocket failed', new Failure(e));
    }
  }

  #messageReceived(event: WebSocketMessageLike): void {
    if (this.#disconnecting || this.#lost) return;
    const bytes = messageBytes(event.data);
    if (this.#readPaused) this.#held.push(bytes);
    else this.#deliver(bytes);
  }

  #deliver(bytes: Uint8Array): void {
    try {
      this.protocol.dataReceived(bytes);
    } catch (e) {
      log.failure('dataReceived failed: aborting the connection', new Failure(e));
      this.abortConnection();
    }
  }

  #socketClosed(event: WebSocketCloseLike): void {
    if (this.#lost) return;
    if (this.#readPaused && !this.#disconnecting) {
      this.#heldClose = event;
      return;
    }
    const clean = event.wasClean && (event.code === 1000 || event.code === 1001);
    const error = this.#aborted
      ? new ConnectionAborted()
      : clean
        ? new ConnectionDone()
        : new ConnectionLost(`WebSocket closed with code ${event.code}${event.reason ? ` (${event.reason})` : ''}`);
    this.#connectionLost(new Failure(error));
  }

  #connectionLost(reason: Failure): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#disconnecting = true;
    this.#stopTimers();
    this.socket.onmessage = this.socket.onclose = this.socket.onerror = null;
    const producer = this.#producer;
    this.#producer = null;
    if (producer !== null) producer.stopProducing();
    try {
      this.protocol.connectionLost(reason);
    } finally {
      this.#onLost?.(reason);
    }
  }

  #afterProducerWrite(): void {
    const buffered = this.getWriteBufferSize();
    if (this.#streaming) {
      if (!this.#producerPaused && buffered > this.#highWater) {
        this.#producerPaused = true;
        (this.#producer as IPushProducer).pauseProducing();
        this.#schedulePoll();
      }
    } else if (buffered <= this.#lowWater) {
      this.#pull ??= this.#reactor.callLater(0, () => {
        this.#pull = null;
        if (this.#producer !== null && !this.#streaming && !this.#lost) this.#producer.resumeProducing();
      });
    } else {
      this.#schedulePoll();
    }
  }

  #schedulePoll(): void {
    this.#poll ??= this.#reactor.callLater(this.#pollInterval, () => {
      this.#poll = null;
      this.#drainCheck();
    });
  }

  #drainCheck(): void {
    const producer = this.#producer;
    if (producer === null || this.#lost) return;
    if (this.getWriteBufferSize() > this.#lowWater) {
      this.#schedulePoll();
      return;
    }
    if (this.#streaming) {
      this.#producerPaused = false;
      (producer as IPushProducer).resumeProducing();
    } else {
      this.#afterProducerWrite();
    }
  }

  #stopTimers(): void {
    if (this.#poll?.active()) this.#poll.cancel();
    if (this.#pull?.active()) this.#pull.cancel();
    this.#poll = this.#pull = null;
  }
}
