/**
 * `FileReader`: streams an open file into a consumer as a push producer, so the consumer's backpressure
 * (a data connection's write buffer) pauses the reading.
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { Deferred } from '../../defer/index.js';
import type { IConsumer, IPushProducer } from '../../internet/interfaces.js';
import { FTPDataConnectionError, FTPFileSystemError } from '../errors.js';
import type { IReadFile } from '../interfaces.js';

/** Bytes read per chunk. */
const CHUNK = 256 * 1024;

/** An `IReadFile` over a Node file handle. */
export class FileReader implements IReadFile, IPushProducer {
  #consumer: IConsumer | null = null;
  #position = 0;
  #paused = false;
  #reading = false;
  #closed = false;
  #done: Deferred<void> | null = null;

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  send(consumer: IConsumer, offset: number): Deferred<void> {
    this.#consumer = consumer;
    this.#position = offset;
    this.#done = new Deferred<void>();
    consumer.registerProducer(this, true);
    this.#pump();
    return this.#done;
  }

  pauseProducing(): void {
    this.#paused = true;
  }

  resumeProducing(): void {
    this.#paused = false;
    this.#pump();
  }

  stopProducing(): void {
    this.#finish(new FTPDataConnectionError('the data connection stopped the transfer'));
  }

  close(): void {
    this.#finish(new FTPDataConnectionError('transfer aborted'));
  }

  #pump(): void {
    if (this.#reading || this.#paused || this.#closed) return;
    this.#reading = true;
    const buffer = Buffer.allocUnsafe(CHUNK);
    this.handle.read(buffer, 0, CHUNK, this.#position).then(
      ({ bytesRead }) => {
        this.#reading = false;
        if (this.#closed) return;
        if (bytesRead === 0) return this.#finish(null);
        this.#position += bytesRead;
        this.#consumer?.write(buffer.subarray(0, bytesRead));
        this.#pump();
      },
      () => {
        this.#reading = false;
        this.#finish(new FTPFileSystemError(451, 'Read error'));
      },
    );
  }

  #finish(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handle.close().catch(() => undefined);
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.unregisterProducer();
    const done = this.#done;
    this.#done = null;
    if (done === null) return;
    if (error === null) done.callback(undefined);
    else done.errback(error);
  }
}
