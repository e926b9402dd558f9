/**
 * The writing side of a transport over a Node `Writable` (this process's stdout, a child's stdin): the
 * producer registered on it, the write buffer's size and marks, and batching. `StandardIO` and
 * `ProcessTransport` share it, so both pace producers as the socket transports do.
 * @module
 */
import type { Writable } from 'node:stream';
import { DEFAULT_WRITE_BUFFER_LIMITS, writeBufferLimits } from './capabilities.js';
import type { Data, IPullProducer, IPushProducer, WriteBufferLimits } from './interfaces.js';

const EMPTY = new Uint8Array(0);

/**
 * Writes into one stream and paces the producer registered on it: a push producer is paused once the
 * stream holds more than the high mark and resumed once what it held has been flushed; a pull producer is
 * asked for the next chunk while the stream holds at most the low mark, or once it has flushed.
 */
export class WritableConsumer {
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #paused = false;
  #pullScheduled = false;
  #flushWaited = false;
  #limits: WriteBufferLimits = DEFAULT_WRITE_BUFFER_LIMITS;
  #corks = 0;
  /**
   * The stream said it is full (`write` returned false) and has not drained yet, on a stream whose
   * `writableLength` does not count what it holds (Bun's child stdin): then that answer and 'drain' are
   * the only measure of its buffer.
   */
  #needDrain = false;
  #uncounted = false;

  /**
   * @param stream where the bytes go
   * @param failed told when a producer throws (the transport drops its connection)
   */
  constructor(
    readonly stream: Writable,
    readonly failed: (where: string, error: unknown) => void,
  ) {}

  /** The registered producer, if any. */
  get producer(): IPushProducer | IPullProducer | null {
    return this.#producer;
  }

  /** Writes `data`; false if the stream no longer takes writes. */
  write(data: Data): boolean {
    const stream = this.stream;
    if (!stream.writable) return false;
    if (!stream.write(data)) this.#full();
    if (this.#producer !== null) this.#afterWrite();
    return true;
  }

  /** Writes the chunks as one batch (corked: one `writev` where the stream has it). */
  writeSequence(data: readonly Data[]): void {
    const stream = this.stream;
    if (!stream.writable) return;
    stream.cork();
    let room = true;
    for (const chunk of data) room = stream.write(chunk);
    stream.uncork();
    if (!room) this.#full();
    if (this.#producer !== null) this.#afterWrite();
  }

  cork(): void {
    this.#corks++;
    this.stream.cork();
  }

  uncork(): void {
    if (this.#corks === 0) return;
    this.#corks--;
    this.stream.uncork();
  }

  /** Bytes the stream holds (corked ones included). */
  bufferSize(): number {
    return this.stream.writableLength;
  }

  setLimits(high?: number, low?: number): void {
    this.#limits = writeBufferLimits(high, low);
  }

  get limits(): WriteBufferLimits {
    return this.#limits;
  }

  /** Registers `producer`; throws if one is registered already. */
  register(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`cannot register producer ${producer} because ${this.#producer} is still registered`);
    this.#producer = producer;
    this.#streaming = streaming;
    this.#paused = false;
    if (streaming) {
      if (this.bufferSize() > this.#limits.high) this.#pause();
    } else {
      this.#askPull();
    }
  }

  /** Forgets the producer. */
  unregister(): void {
    this.#producer = null;
    this.#paused = false;
  }

  /** The connection is gone: the producer is told to stop for good. */
  stop(): void {
    const producer = this.#producer;
    this.unregister();
    if (producer === null) return;
    try {
      producer.stopProducing();
    } catch (e) {
      this.failed('stopProducing', e);
    }
  }

  #full(): void {
    if (this.#needDrain) return;
    if (this.stream.writableLength === 0) this.#uncounted = true;
    if (!this.#uncounted) return;
    this.#needDrain = true;
    this.stream.once('drain', () => (this.#needDrain = false));
  }

  #afterWrite(): void {
    if (this.#streaming) {
      if (!this.#paused && (this.#needDrain || this.bufferSize() > this.#limits.high)) this.#pause();
    } else if (!this.#needDrain && this.bufferSize() <= this.#limits.low) {
      this.#askPull();
    } else {
      this.#whenFlushed();
    }
  }

  #pause(): void {
    this.#paused = true;
    (this.#producer as IPushProducer).pauseProducing();
    this.#whenFlushed();
  }

  /**
   * Calls back once everything written so far has left the stream: the callback of an empty write runs
   * after the writes before it, whatever the stream's own high-water mark ('drain' comes only past that).
   */
  #whenFlushed(): void {
    if (this.#flushWaited || !this.stream.writable) return;
    this.#flushWaited = true;
    if (this.#needDrain) {
      // Such a stream calls a write back before its bytes have left: only 'drain' says they have.
      this.stream.once('drain', () => {
        this.#flushWaited = false;
        this.#flushed();
      });
      return;
    }
    this.stream.write(EMPTY, () => {
      this.#flushWaited = false;
      this.#flushed();
    });
  }

  #flushed(): void {
    const producer = this.#producer;
    if (producer === null) return;
    if (!this.#streaming) {
      this.#askPull();
      return;
    }
    if (!this.#paused) return;
    if (this.bufferSize() > this.#limits.low) {
      this.#whenFlushed();
      return;
    }
    this.#paused = false;
    try {
      (producer as IPushProducer).resumeProducing();
    } catch (e) {
      this.failed('resumeProducing', e);
    }
  }

  /** Asks the pull producer for one more chunk on the next turn (once, however often it is called). */
  #askPull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(() => {
      this.#pullScheduled = false;
      const producer = this.#producer;
      if (producer === null || this.#streaming) return;
      try {
        producer.resumeProducing();
      } catch (e) {
        this.failed('resumeProducing', e);
      }
    });
  }
}
