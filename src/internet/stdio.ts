/**
 * `StandardIO`: runs a stream protocol over this process's own stdin and stdout (Twisted's
 * `internet/stdio.py`), so a line protocol written for TCP also works as a command-line filter or as the
 * child end of `spawnProcess`.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { Failure } from '../defer/index.js';
import { PipeAddress } from './address.js';
import { ConnectionDone, ConnectionLost } from './error.js';
import type { Data, IProtocol, IPullProducer, IPushProducer, IStreamTransport, WriteBufferLimits } from './interfaces.js';
import { logError } from './log.js';
import { WritableConsumer } from './writable-consumer.js';

/** Options of {@link StandardIO}: other streams than the process's own, for tests or pipes. */
export interface StandardIOOptions {
  /** Read from (default `process.stdin`). */
  stdin?: Readable;
  /** Written to (default `process.stdout`). */
  stdout?: Writable;
}

type MaybeHalfClose = IProtocol & { readConnectionLost?: () => void; writeConnectionLost?: () => void };

/**
 * The transport over stdin/stdout. End of input calls the protocol's `readConnectionLost` when it has one
 * (half-close), else closes the connection; `connectionLost` comes once output is flushed and input is done.
 * A producer writing into stdout is paced by the write-buffer marks (64 KiB / 16 KiB), as on a socket.
 *
 * @example
 * class Upper extends LineReceiver {
 *   override lineReceived(line: Uint8Array) { this.sendLine(Buffer.from(line).toString().toUpperCase()); }
 * }
 * new StandardIO(new Upper());
 */
export class StandardIO implements IStreamTransport {
  /** The protocol run over stdin/stdout. */
  readonly protocol: MaybeHalfClose;
  /** True once `loseConnection` was called. */
  disconnecting = false;
  readonly #in: Readable;
  readonly #out: Writable;
  readonly #consumer: WritableConsumer;
  #readDone = false;
  #writeDone = false;
  #lost = false;
  #waitingForProducer = false;

  /** Connects `protocol` at once (`makeConnection`) and starts reading. */
  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    this.protocol = protocol as MaybeHalfClose;
    this.#in = options.stdin ?? process.stdin;
    this.#out = options.stdout ?? process.stdout;
    this.#consumer = new WritableConsumer(this.#out, (where, e) => this.#failed(`${where} failed`, e));
    this.#in.on('data', (chunk: Buffer) => {
      if (this.#readDone) return;
      try {
        this.protocol.dataReceived(chunk);
      } catch (e) {
        this.#failed('dataReceived failed', e);
      }
    });
    this.#in.on('end', () => this.#inputEnded());
    this.#in.on('error', (e: Error) => this.#connectionLost(new ConnectionLost(`stdin failed: ${e.message}`, { cause: e })));
    this.#out.on('error', (e: Error) => this.#connectionLost(new ConnectionLost(`stdout failed: ${e.message}`, { cause: e })));
    protocol.makeConnection(this);
  }

  /** Writes to stdout. */
  write(data: Data): void {
    if (this.#writeDone) return;
    this.#consumer.write(data);
  }

  /** Writes the chunks as one batch (corked: one `writev` on a pipe). */
  writeSequence(data: readonly Data[]): void {
    if (this.#writeDone) return;
    this.#consumer.writeSequence(data);
  }

  cork(): void {
    this.#consumer.cork();
  }

  uncork(): void {
    this.#consumer.uncork();
  }

  /** Bytes written to stdout and not yet flushed. */
  getWriteBufferSize(): number {
    return this.#consumer.bufferSize();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#consumer.setLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#consumer.limits;
  }

  /** Closes stdout once everything written is flushed (and a registered producer has unregistered), and stops reading stdin. */
  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.#stopReading();
    if (this.#consumer.producer !== null) {
      this.#waitingForProducer = true;
      return;
    }
    this.#endOutput(() => this.#connectionLost(new ConnectionDone()));
  }

  /** Half-close: ends stdout (the reader sees end of file) and keeps reading stdin. */
  loseWriteConnection(): void {
    this.#endOutput(() => {
      this.protocol.writeConnectionLost?.();
      if (this.#readDone) this.#connectionLost(new ConnectionDone());
    });
  }

  /** A `PipeAddress`: stdio has no network address. */
  getPeer(): PipeAddress {
    return new PipeAddress();
  }

  /** A `PipeAddress`. */
  getHost(): PipeAddress {
    return new PipeAddress();
  }

  /** Registers a producer writing into stdout (push: paused and resumed by the marks; pull: asked while there is room). */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.#consumer.register(producer, streaming);
  }

  /** Drops the registered producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this.#consumer.unregister();
    if (this.#waitingForProducer) {
      this.#waitingForProducer = false;
      this.#endOutput(() => this.#connectionLost(new ConnectionDone()));
    }
  }

  /** Stops reading stdin (backpressure: the writer to our stdin blocks once the pipe fills). */
  pauseProducing(): void {
    this.#in.pause();
  }

  /** Reads stdin again. */
  resumeProducing(): void {
    if (!this.#readDone) this.#in.resume();
  }

  /** Same as `loseConnection`. */
  stopProducing(): void {
    this.loseConnection();
  }

  #inputEnded(): void {
    if (this.#readDone) return;
    this.#readDone = true;
    if (this.#writeDone) this.#connectionLost(new ConnectionDone());
    else if (typeof this.protocol.readConnectionLost === 'function') this.protocol.readConnectionLost();
    else this.loseConnection();
  }

  #stopReading(): void {
    this.#readDone = true;
    this.#in.pause();
    // Lets the process exit: a paused stdin still holds the event loop open.
    (this.#in as Readable & { unref?: () => void }).unref?.();
  }

  #endOutput(then: () => void): void {
    if (this.#writeDone) return;
    this.#writeDone = true;
    if (this.#out === process.stdout) {
      // process.stdout cannot be ended; an empty write's callback comes once what precedes it is flushed.
      this.#out.write('', () => then());
    } else {
      this.#out.end(() => then());
    }
  }

  #failed(where: string, error: unknown): void {
    logError(`${where} in ${this.protocol.constructor.name}; dropping the connection`, error);
    this.#stopReading();
    this.#endOutput(() => {});
    const e = error instanceof Error ? error : new Error(String(error));
    this.#connectionLost(new ConnectionLost(`Connection lost: ${e.message}`, { cause: e }));
  }

  #connectionLost(reason: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.disconnecting = true;
    this.#consumer.stop();
    try {
      this.protocol.connectionLost(new Failure(reason));
    } catch (e) {
      logError(`connectionLost failed in ${this.protocol.constructor.name}`, e);
    }
  }
}
