/**
 * The consumer half of `SocketTransport`: the write buffer (its size, its water marks, batching) and the
 * producer registered on it. A streaming (push) producer is paused when the buffer passes the high-water
 * mark and resumed on 'drain'; a pull producer is asked for one chunk at a time while the socket takes
 * writes without buffering.
 * @module
 */
import type { Socket } from 'node:net';
import { HIGH_WATER, LOW_WATER, writeBufferLimits } from './capabilities.js';
import type { Data, IPullProducer, IPushProducer, WriteBufferLimits } from './interfaces.js';
import { onDrain } from './socket-listeners.js';
import { TransportState } from './transport-state.js';

export { HIGH_WATER, LOW_WATER };

/** The producer/consumer part of `SocketTransport` (see there). */
export abstract class BackpressureTransport extends TransportState {
  /** Write-buffer size above which a streaming producer is paused (default 64 KiB). */
  get highWater(): number {
    return this._extra?.highWater ?? HIGH_WATER;
  }
  set highWater(v: number) {
    (this._extra ??= {}).highWater = v;
  }

  /** Buffer size at or below which it is resumed (default 16 KiB). Node sockets report "drained" at 0, below it. */
  get lowWater(): number {
    return this._extra?.lowWater ?? LOW_WATER;
  }
  set lowWater(v: number) {
    (this._extra ??= {}).lowWater = v;
  }

  /** Bytes written and not yet taken by the system: the socket's buffer, corked bytes, and writes waiting for `startTLS`. */
  getWriteBufferSize(): number {
    const preTLS = this._preTLS;
    return this.socket.writableLength + (preTLS === null ? 0 : byteLength(preTLS));
  }

  /** Sets the marks a registered push producer is paused above and resumed at (see `IWriteBuffer`). */
  setWriteBufferLimits(high?: number, low?: number): void {
    const limits = writeBufferLimits(high, low);
    this.highWater = limits.high;
    this.lowWater = limits.low;
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return { high: this.highWater, low: this.lowWater };
  }

  /** Holds writes until the matching `uncork()`, so a burst leaves in one system call. */
  cork(): void {
    if (this._lost) return;
    this._corks++;
    // While `startTLS` waits to take over, writes are queued anyway; the TLS socket is corked as it takes over.
    if (this._preTLS === null) this.socket.cork();
  }

  /** Ends one `cork()`; the last one sends what was held. */
  uncork(): void {
    if (this._corks === 0) return;
    this._corks--;
    if (this._preTLS === null) this.socket.uncork();
  }

  /** Registers a producer: streaming ones are paused/resumed by the buffer level, pull ones asked for more. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this._producer !== null) throw new Error(`cannot register producer ${producer} because ${this._producer} is still registered`);
    if (this._lost) {
      producer.stopProducing();
      return;
    }
    this._producer = producer;
    this._streaming = streaming;
    this._producerPaused = false;
    this._hookDrain();
    if (streaming) {
      if (this.getWriteBufferSize() > this.highWater) this.#pauseProducer();
    } else {
      this.#askPull();
    }
  }

  /** Forgets the producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this._producer = null;
    this._producerPaused = false;
    if (this._waitingForProducer) {
      this._waitingForProducer = false;
      this._endAndClose();
    }
  }

  /** @internal the socket's buffer drained: resume a paused push producer, or ask a pull producer for more. */
  _drained(): void {
    const producer = this._producer;
    if (producer === null) return;
    if (this._streaming) {
      if (this._producerPaused) {
        this._producerPaused = false;
        (producer as IPushProducer).resumeProducing();
      }
    } else {
      this.#askPull();
    }
  }

  /** Ends our side once everything written is sent, then closes (what `loseConnection` does, deferred). */
  protected abstract _endAndClose(): void;

  /** Called after each write while a producer is registered (only then: writes without one skip it). */
  protected _afterProducerWrite(socket: Socket): void {
    if (this._streaming) {
      if (!this._producerPaused && this.getWriteBufferSize() > this.highWater) this.#pauseProducer();
    } else if (!socket.writableNeedDrain) {
      this.#askPull();
    }
  }

  /**
   * A write left part of a buffer the protocol reuses with the socket (`writeFromBuffer`): a streaming
   * producer waits for 'drain', after which the buffer is free again.
   */
  protected _holdProducer(): void {
    if (this._producer !== null && this._streaming && !this._producerPaused) this.#pauseProducer();
  }

  /** Listens for 'drain' on the socket (once per socket: not every connection ever has a producer). */
  protected _hookDrain(): void {
    if (this._drainHooked) return;
    this._drainHooked = true;
    this.socket.on('drain', onDrain);
  }

  #pauseProducer(): void {
    this._producerPaused = true;
    (this._producer as IPushProducer).pauseProducing();
  }

  /**
   * Asks a pull producer for one more chunk on the next turn. It is asked again after each write that the
   * socket took without needing to drain, or on 'drain'; a producer that writes nothing is not asked again.
   */
  #askPull(): void {
    if (this._pullScheduled) return;
    this._pullScheduled = true;
    setImmediate(() => {
      this._pullScheduled = false;
      const producer = this._producer;
      if (producer === null || this._streaming || this._lost) return;
      try {
        producer.resumeProducing();
      } catch (e) {
        this._failed('resumeProducing failed', e);
      }
    });
  }
}

function byteLength(chunks: readonly Data[]): number {
  let n = 0;
  for (const c of chunks) n += typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength;
  return n;
}
