/**
 * Streams parts of a file into a response as a push producer: it reads ahead one chunk while the socket
 * drains the previous one, and stops reading when the connection pauses it (backpressure).
 * @module
 */
import { close, read } from 'node:fs';
import { Failure } from '../../defer/index.js';
import type { IPushProducer } from '../../internet/interfaces.js';
import type { Request } from '../request.js';

/** A piece of the response: literal text (multipart boundaries) or an inclusive byte range of the file. */
export type Part = string | { start: number; end: number };

const CHUNK = 256 * 1024;

/** Sends `parts` of the open file `fd` to `request`, then finishes it and closes `fd`. */
export class FileSender implements IPushProducer {
  #paused = false;
  #stopped = false;
  #reading = false;
  #pending: Buffer | null = null;
  #index = 0;
  #pos = -1;

  constructor(readonly fd: number, readonly parts: Part[], readonly request: Request) {}

  /** Registers with the request and starts sending. */
  start(): void {
    this.request.registerProducer(this, true);
    this.request.notifyFinish().addErrback(() => this.stopProducing());
    this.#next();
  }

  pauseProducing(): void {
    this.#paused = true;
  }

  resumeProducing(): void {
    this.#paused = false;
    const pending = this.#pending;
    if (pending !== null) {
      this.#pending = null;
      this.request.write(pending);
    }
    if (!this.#reading && !this.#paused) this.#next();
  }

  stopProducing(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (!this.#reading) close(this.fd, () => {});
  }

  #next(): void {
    if (this.#stopped || this.#reading) return;
    while (this.#index < this.parts.length) {
      const part = this.parts[this.#index];
      if (typeof part === 'string') {
        this.request.write(part);
        this.#index++;
        continue;
      }
      if (this.#pos < 0) this.#pos = part.start;
      if (this.#pos > part.end) {
        this.#index++;
        this.#pos = -1;
        continue;
      }
      const n = Math.min(CHUNK, part.end + 1 - this.#pos);
      this.#reading = true;
      read(this.fd, Buffer.allocUnsafe(n), 0, n, this.#pos, (err, bytes, buf) => this.#readDone(err, bytes, buf));
      return;
    }
    this.#stopped = true;
    close(this.fd, () => {});
    this.request.unregisterProducer();
    if (!this.request.finished) this.request.finish();
  }

  #readDone(err: Error | null, bytes: number, buf: Buffer): void {
    this.#reading = false;
    if (this.#stopped) {
      close(this.fd, () => {});
      return;
    }
    if (err || bytes === 0) {
      this.#stopped = true;
      close(this.fd, () => {});
      this.request.processingFailed(new Failure(err ?? new Error('file shrank while being sent')));
      return;
    }
    this.#pos += bytes;
    const data = bytes === buf.length ? buf : buf.subarray(0, bytes);
    if (this.#paused) {
      this.#pending = data;
      return;
    }
    this.request.write(data);
    this.#next();
  }
}
