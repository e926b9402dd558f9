/**
 * `FileReader`: streams an open file into a consumer as a push producer, so the consumer's backpressure
 * (a data connection's write buffer) pauses the reading.
 *
 * A download reads with blocking reads, from the page cache, into one reused buffer, and hands that buffer
 * to the data connection without a copy (`IWriteFromBuffer`): no thread-pool round trip, Promise or fresh
 * buffer per chunk. When the connection keeps the buffer (the socket is full) the next read waits for it.
 * A read slower than `blockingReadLimit` (the disk, not the cache) sends the rest of that download to the
 * thread pool, and a burst of `burst` bytes gives the event loop back to the other connections.
 * @module
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Deferred } from '../../defer/index.js';
import { writesFromBuffer } from '../../internet/capabilities.js';
import type { IConsumer, IPushProducer, IWriteFromBuffer } from '../../internet/interfaces.js';
import { FTPDataConnectionError, FTPFileSystemError } from '../errors.js';
import type { IReadFile } from '../interfaces.js';
import { DEFAULT_FTP_SEND_LIMITS, type FTPSendLimits } from '../limits.js';

/** The blocking side of a {@link FileReader}: a positioned read and a clock in seconds (tests replace them). */
export interface BlockingReads {
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  now(): number;
}

/** The real ones: a positioned `read(2)`, and a monotonic clock to time it. */
const SYSTEM_READS: BlockingReads = {
  readSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  now: () => performance.now() / 1000,
};

/**
 * Send buffers of one size, reused from one download to the next; at most `kept` idle ones are kept (any
 * number may be out at once: each running download has one).
 */
export class SendBufferPool {
  readonly #idle: Buffer[] = [];

  constructor(
    readonly size: number,
    readonly kept: number,
  ) {}

  /** An idle buffer, or a new one. */
  take(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Takes `buffer` back (nobody else may hold it any more); past `kept` idle ones it is left to be freed. */
  give(buffer: Buffer): void {
    if (this.#idle.length < this.kept && buffer.length === this.size) this.#idle.push(buffer);
  }

  /** Idle buffers kept now. */
  get idle(): number {
    return this.#idle.length;
  }
}

const SEND_BUFFERS = new SendBufferPool(DEFAULT_FTP_SEND_LIMITS.chunk, DEFAULT_FTP_SEND_LIMITS.keptBuffers);

/** What a {@link FileReader} may be given instead of the defaults (tests). */
export interface FileReaderOptions {
  readonly limits?: FTPSendLimits;
  readonly reads?: BlockingReads;
  readonly pool?: SendBufferPool;
}

/** An `IReadFile` over a Node file handle. */
export class FileReader implements IReadFile, IPushProducer {
  #consumer: IConsumer | null = null;
  /** The consumer, when it can write from the reused buffer. */
  #lender: IWriteFromBuffer | null = null;
  /** The reused buffer (with a lender). */
  #buffer: Buffer | null = null;
  /** The consumer still holds {@link #buffer}: read nothing into it until it resumes this producer. */
  #held = false;
  #position = 0;
  #paused = false;
  /** A read on the thread pool is under way. */
  #reading = false;
  /** The next burst waits for the event loop's next turn. */
  #scheduled = false;
  /** A blocking read was slow: the rest goes to the thread pool. */
  #slow = false;
  #closed = false;
  #done: Deferred<void> | null = null;
  readonly #limits: FTPSendLimits;
  readonly #reads: BlockingReads;
  readonly #pool: SendBufferPool;

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
    options: FileReaderOptions = {},
  ) {
    this.#limits = options.limits ?? DEFAULT_FTP_SEND_LIMITS;
    this.#reads = options.reads ?? SYSTEM_READS;
    this.#pool = options.pool ?? (options.limits === undefined ? SEND_BUFFERS : new SendBufferPool(this.#limits.chunk, this.#limits.keptBuffers));
  }

  /** True once a slow read sent this download to the thread pool. */
  get slow(): boolean {
    return this.#slow;
  }

  send(consumer: IConsumer, offset: number): Deferred<void> {
    this.#consumer = consumer;
    this.#position = offset;
    // A small file may be sent, and this fired, before `send` returns.
    const done = (this.#done = new Deferred<void>());
    if (writesFromBuffer(consumer)) {
      this.#lender = consumer;
      this.#buffer = this.#pool.take();
    }
    consumer.registerProducer(this, true);
    this.#pump();
    return done;
  }

  pauseProducing(): void {
    this.#paused = true;
  }

  resumeProducing(): void {
    this.#paused = false;
    this.#held = false;
    this.#pump();
  }

  stopProducing(): void {
    this.#finish(new FTPDataConnectionError('the data connection stopped the transfer'));
  }

  close(): void {
    this.#finish(new FTPDataConnectionError('transfer aborted'));
  }

  #pump(): void {
    if (this.#reading || this.#scheduled) return;
    const { chunk, burst, blockingReadLimit } = this.#limits;
    let sent = 0;
    while (!this.#paused && !this.#held && !this.#closed) {
      if (this.#slow) return this.#readOnThreadPool();
      if (sent >= burst) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#pump();
        });
        return;
      }
      const buffer = this.#buffer ?? Buffer.allocUnsafe(chunk);
      let bytesRead: number;
      const started = this.#reads.now();
      try {
        bytesRead = this.#reads.readSync(this.handle.fd, buffer, 0, chunk, this.#position);
      } catch {
        return this.#finish(new FTPFileSystemError(451, 'Read error'));
      }
      if (this.#reads.now() - started > blockingReadLimit) this.#slow = true;
      if (bytesRead === 0) return this.#finish(null);
      sent += bytesRead;
      this.#deliver(buffer, bytesRead);
    }
  }

  /** One read on the thread pool, then on from there. */
  #readOnThreadPool(): void {
    this.#reading = true;
    const chunk = this.#limits.chunk;
    const buffer = this.#buffer ?? Buffer.allocUnsafe(chunk);
    this.handle.read(buffer, 0, chunk, this.#position).then(
      ({ bytesRead }) => {
        this.#reading = false;
        if (this.#closed) return;
        if (bytesRead === 0) return this.#finish(null);
        this.#deliver(buffer, bytesRead);
        this.#pump();
      },
      () => {
        this.#reading = false;
        this.#finish(new FTPFileSystemError(451, 'Read error'));
      },
    );
  }

  #deliver(buffer: Buffer, length: number): void {
    this.#position += length;
    const data = buffer.subarray(0, length);
    if (this.#lender !== null && buffer === this.#buffer) {
      if (!this.#lender.writeFromBuffer(data)) this.#held = true;
    } else this.#consumer?.write(data);
  }

  #finish(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handle.close().catch(() => undefined);
    // A buffer the connection or a thread-pool read still holds is not reused: it is freed once they let go.
    if (this.#buffer !== null && !this.#held && !this.#reading) this.#pool.give(this.#buffer);
    this.#buffer = null;
    const consumer = this.#consumer;
    this.#consumer = null;
    this.#lender = null;
    consumer?.unregisterProducer();
    const done = this.#done;
    this.#done = null;
    if (done === null) return;
    if (error === null) done.callback(undefined);
    else done.errback(error);
  }
}
