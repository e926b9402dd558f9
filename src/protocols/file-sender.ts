/**
 * `FileSender` (Twisted's `basic.FileSender`): a pull producer that streams a file into a consumer. The one
 * module of `torsion/protocols` that needs Node (`node:fs`); the rest of the folder runs in a browser.
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Deferred } from '../defer/index.js';
import type { IConsumer, IPullProducer } from '../internet/interfaces.js';
import { TorsionError } from '../errors/index.js';

/** Raised (through the Deferred) when the consumer stops the transfer before the end. */
export class TransferStoppedError extends TorsionError {
  override readonly code = 'TORSION_TRANSFER_STOPPED';
  override name = 'TransferStoppedError';
  constructor() {
    super('Consumer asked us to stop producing');
  }
}

/**
 * Streams a file, one chunk each time the consumer asks (`resumeProducing`): a transport asks only when its
 * write buffer has room, so a slow peer never makes the whole file sit in memory.
 *
 * Reads are synchronous, as in Twisted: one `CHUNK_SIZE` read from a local file costs microseconds, and it keeps
 * the pull contract exact (each request answered with exactly one write before it returns).
 *
 * @example
 * const last = await new FileSender().beginFileTransfer('big.iso', transport);
 */
export class FileSender implements IPullProducer {
  /** Bytes read and written per request. */
  CHUNK_SIZE = 65536;
  /** The last byte sent (Twisted hands it back so callers can check for a trailing newline). */
  lastSent: Uint8Array = new Uint8Array(0);
  #fd: number | null = null;
  #ownsFd = false;
  #consumer: IConsumer | null = null;
  #transform: ((chunk: Uint8Array) => Uint8Array) | undefined;
  #deferred: Deferred<Uint8Array> | null = null;

  /**
   * Starts streaming `file` (a path, or an open file descriptor left open afterwards) into `consumer`.
   * Fires with the last byte sent once the whole file was written; fails with `TransferStoppedError` if the
   * consumer stops it first. `transform`, if given, maps each chunk before it is written.
   */
  beginFileTransfer(file: string | number, consumer: IConsumer, transform?: (chunk: Uint8Array) => Uint8Array): Deferred<Uint8Array> {
    this.#ownsFd = typeof file === 'string';
    this.#fd = typeof file === 'string' ? openSync(file, 'r') : file;
    this.#consumer = consumer;
    this.#transform = transform;
    const d = new Deferred<Uint8Array>();
    this.#deferred = d;
    consumer.registerProducer(this, false);
    return d;
  }

  /** Writes the next chunk, or finishes the transfer at the end of the file. */
  resumeProducing(): void {
    const consumer = this.#consumer;
    if (this.#fd === null || consumer === null) return;
    let chunk: Uint8Array = new Uint8Array(this.CHUNK_SIZE);
    let n: number;
    try {
      n = readSync(this.#fd, chunk, 0, chunk.length, null);
    } catch (e) {
      this.#finish();
      this.#deferred?.errback(e);
      this.#deferred = null;
      return;
    }
    if (n === 0) {
      this.#finish();
      const d = this.#deferred;
      this.#deferred = null;
      d?.callback(this.lastSent);
      return;
    }
    chunk = chunk.subarray(0, n);
    if (this.#transform) chunk = this.#transform(chunk);
    if (chunk.length > 0) this.lastSent = chunk.slice(chunk.length - 1);
    consumer.write(chunk);
  }

  /** Pull producers are not paused: they simply are not asked. */
  pauseProducing(): void {}

  /** The consumer is going away: closes the file and fails the Deferred. */
  stopProducing(): void {
    if (this.#fd === null) return;
    this.#closeFile();
    this.#consumer = null;
    const d = this.#deferred;
    this.#deferred = null;
    d?.errback(new TransferStoppedError());
  }

  #finish(): void {
    this.#closeFile();
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.unregisterProducer();
  }

  #closeFile(): void {
    if (this.#fd !== null && this.#ownsFd) closeSync(this.#fd);
    this.#fd = null;
  }
}
