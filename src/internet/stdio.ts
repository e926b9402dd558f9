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
import type { Data, IProtocol, IPullProducer, IPushProducer, IStreamTransport } from './interfaces.js';

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
  #readDone = false;
  #writeDone = false;
  #lost = false;
  #producer: IPushProducer | IPullProducer | undefined;
  #streaming = false;
  #producerPaused = false;

  /** Connects `protocol` at once (`makeConnection`) and starts reading. */
  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    this.protocol = protocol as MaybeHalfClose;
    this.#in = options.stdin ?? process.stdin;
    this.#out = options.stdout ?? process.stdout;
    this.#in.on('data', (chunk: Buffer) => {
      if (!this.#readDone) this.protocol.dataReceived(chunk);
    });
    this.#in.on('end', () => this.#inputEnded());
    this.#in.on('error', (e: Error) => this.#connectionLost(new ConnectionLost(`stdin failed: ${e.message}`, { cause: e })));
    this.#out.on('error', (e: Error) => this.#connectionLost(new ConnectionLost(`stdout failed: ${e.message}`, { cause: e })));
    this.#out.on('drain', () => this.#drained());
    protocol.makeConnection(this);
  }

  /** Writes to stdout; a registered streaming producer is paused while stdout's buffer is full. */
  write(data: Data): void {
    if (this.#writeDone) return;
    const ok = this.#out.write(data);
    if (!ok && this.#producer && this.#streaming && !this.#producerPaused) {
      this.#producerPaused = true;
      (this.#producer as IPushProducer).pauseProducing();
    }
  }

  /** Writes each chunk in turn. */
  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  /** Closes stdout once everything written is flushed, and stops reading stdin. */
  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.#stopReading();
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

  /** Registers a producer writing into stdout (push: paused and resumed with the buffer; pull: asked on drain). */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer) throw new Error('a producer is already registered');
    this.#producer = producer;
    this.#streaming = streaming;
    if (!streaming) (producer as IPullProducer).resumeProducing();
  }

  /** Drops the registered producer. */
  unregisterProducer(): void {
    this.#producer = undefined;
    this.#producerPaused = false;
  }

  /** Stops reading stdin (backpressure: the writer to our stdin blocks once the pipe fills). */
  pauseProducing(): void {
    this.#in.pause();
  }

  /** Reads stdin again. */
  resumeProducing(): void {
    this.#in.resume();
  }

  /** Same as `loseConnection`. */
  stopProducing(): void {
    this.loseConnection();
  }

  #drained(): void {
    const p = this.#producer;
    if (!p) return;
    if (this.#streaming) {
      if (this.#producerPaused) {
        this.#producerPaused = false;
        (p as IPushProducer).resumeProducing();
      }
    } else {
      p.resumeProducing();
    }
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

  #connectionLost(reason: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#producer?.stopProducing();
    this.#producer = undefined;
    this.protocol.connectionLost(new Failure(reason));
  }
}
