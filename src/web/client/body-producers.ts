/**
 * Request bodies: bytes or a string already in memory, or a stream read with backpressure.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { IConsumer } from '../../internet/interfaces.js';
import type { IBodyProducer } from './interfaces.js';

/**
 * A body held in memory (a string is sent as UTF-8).
 *
 * @example
 * agent.request('POST', url, { 'content-type': ['application/json'] }, new StringBodyProducer(JSON.stringify(data)));
 */
export class StringBodyProducer implements IBodyProducer {
  readonly length: number;
  readonly replayable = true;
  readonly body: Uint8Array;

  constructor(body: string | Uint8Array) {
    this.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.length = this.body.byteLength;
  }

  startProducing(consumer: IConsumer): Deferred<void> {
    if (this.length > 0) consumer.write(this.body);
    return Deferred.succeed<void>(undefined);
  }

  pauseProducing(): void {}
  resumeProducing(): void {}
  stopProducing(): void {}
}

/**
 * A body read from an async iterable of chunks (a Node `Readable` such as `fs.createReadStream(path)`, or
 * an async generator), paused while the connection's buffer is full. Pass `length` when it is known
 * (a file's size) to send `Content-Length`; otherwise the body goes chunked.
 *
 * @example
 * const { size } = await stat(path);
 * agent.request('PUT', url, null, new FileBodyProducer(createReadStream(path), size));
 */
export class FileBodyProducer implements IBodyProducer {
  readonly length: number | null;
  #paused: (() => void) | null = null;
  #pausedWanted = false;
  #stopped = false;

  constructor(readonly source: AsyncIterable<Uint8Array | string>, length: number | null = null) {
    this.length = length;
  }

  startProducing(consumer: IConsumer): Deferred<void> {
    return Deferred.fromPromise(this.#pump(consumer));
  }

  async #pump(consumer: IConsumer): Promise<void> {
    const iterator = this.source[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (this.#pausedWanted) await new Promise<void>((resolve) => (this.#paused = resolve));
        if (this.#stopped) return;
        const next = await iterator.next();
        if (next.done || this.#stopped) return;
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
        if (chunk.byteLength > 0) consumer.write(chunk);
      }
    } finally {
      if (this.#stopped) await iterator.return?.();
    }
  }

  pauseProducing(): void {
    this.#pausedWanted = true;
  }

  resumeProducing(): void {
    this.#pausedWanted = false;
    const wake = this.#paused;
    this.#paused = null;
    wake?.();
  }

  stopProducing(): void {
    this.#stopped = true;
    this.resumeProducing();
  }
}
