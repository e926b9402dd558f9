/**
 * One transfer on the server: a file or listing sent (`RETR`, `LIST`, `NLST`, `MLSD`) or an upload
 * received (`STOR`, `APPE`, `STOU`), from the `150` to the `226` (or the `426`/`451` when it breaks).
 * An upload is written as it arrives, with the data connection paused while the disk is behind, and put
 * under its name only after a clean end; a reset or `ABOR` throws it away. A binary upload to a file that
 * writes at once (`writeNow`) is read into one reused buffer and written before the next read, as vsftpd
 * does, where the transport can read so.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import type { Data, IConsumer, IPullProducer, IPushProducer } from '../../internet/interfaces.js';
import { FromNetworkAscii, ToNetworkAscii } from '../ascii.js';
import type { DataConnection } from '../data-connection.js';
import { FTPFileSystemError } from '../errors.js';
import type { IReadFile, IWriteFile } from '../interfaces.js';
import type { FTPServerProtocol } from './protocol.js';

/**
 * Bytes of an upload waiting for the disk before the data connection is paused. A few writes' worth: the
 * kernel's socket buffer holds the rest, and chunks held longer outlive young-generation collections.
 */
const UPLOAD_BACKLOG = 1024 * 1024;

/**
 * The buffer a binary upload is read into, one per transfer and reused for every read, so that receiving
 * allocates nothing; each read is written to disk before the next (see `IWriteFile.writeNow`). Also the most
 * one blocking write holds the event loop for.
 */
const UPLOAD_READ_BUFFER = 256 * 1024;

/** A consumer that converts to CRLF line endings on the way (`TYPE A`). */
class AsciiConsumer implements IConsumer {
  readonly #convert = new ToNetworkAscii();
  constructor(readonly inner: IConsumer) {}
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.inner.registerProducer(producer, streaming);
  }
  unregisterProducer(): void {
    this.inner.unregisterProducer();
  }
  write(data: Data): void {
    this.inner.write(this.#convert.convert(typeof data === 'string' ? new TextEncoder().encode(data) : data));
  }
}

/** A transfer in progress. */
export class Transfer {
  #over = false;
  #file: IReadFile | null = null;
  #upload: IWriteFile | null = null;

  constructor(
    readonly protocol: FTPServerProtocol,
    readonly data: DataConnection,
    readonly what: string,
  ) {
    protocol.transfer = this;
    data.watchStall(protocol.factory.clock, protocol.factory.limits.dataTimeout, () => this.#fail(426, 'Data connection stalled; transfer aborted'));
  }

  /** Sends a listing's text. */
  sendText(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.data.write(bytes);
    this.#sent();
  }

  /** Sends `file` from `offset`, converted for `TYPE A` when asked. */
  sendFile(file: IReadFile, offset: number, ascii: boolean): void {
    this.#file = file;
    file.send(ascii ? new AsciiConsumer(this.data) : this.data, offset).addCallbacks(
      () => this.#sent(),
      (f: Failure) => {
        if (f.value instanceof FTPFileSystemError) this.#fail(451, 'Read error; transfer aborted');
        else this.#fail(426, 'Connection closed; transfer aborted');
        return null;
      },
    );
  }

  /** Receives into `upload` until the client closes the data connection. */
  receive(upload: IWriteFile, ascii: boolean): void {
    this.#upload = upload;
    const convert = ascii ? new FromNetworkAscii() : null;
    // Writes go to the shell at once (it batches them); its finish waits for all of them.
    let backlog = 0;
    let paused = false;
    let writeError: unknown = null;
    const enqueue = (chunk: Uint8Array): void => {
      if (chunk.length === 0 || writeError !== null) return;
      backlog += chunk.length;
      if (backlog > UPLOAD_BACKLOG && !paused && this.data.connected) {
        paused = true;
        this.data.transport.pauseProducing();
      }
      upload.write(chunk).addCallbacks(
        () => {
          backlog -= chunk.length;
          if (paused && backlog <= UPLOAD_BACKLOG / 4 && this.data.connected) {
            paused = false;
            this.data.transport.resumeProducing();
          }
        },
        (f: Failure) => {
          writeError ??= f.value;
        },
      );
    };
    if (convert === null && upload.writeNow !== undefined) {
      // Reads land in one reused buffer and go to disk at once; a view kept for later is copied first.
      const writeNow = upload.writeNow.bind(upload);
      this.data.receive((d, borrowed) => {
        if (borrowed && writeNow(d)) return;
        enqueue(borrowed ? new Uint8Array(d) : d);
      }, Buffer.allocUnsafe(UPLOAD_READ_BUFFER))
    } else this.data.receive((d) => enqueue(convert ? convert.convert(d) : d));
    this.data.whenClosed().addCallbacks(
      () => {
        if (convert) enqueue(convert.flush());
        if (this.#over) return null;
        upload.finish().addCallbacks(
          () => this.#end(226, `Transfer complete: ${this.what}`),
          (f: Failure) => {
            const e = f.value instanceof FTPFileSystemError ? f.value : writeError instanceof FTPFileSystemError ? writeError : null;
            this.#fail(e?.replyCode ?? 451, e?.message ?? 'Could not store the file');
            return null;
          },
        );
        return null;
      },
      () => {
        this.#fail(426, 'Connection closed; transfer aborted');
        return null;
      },
    );
  }

  /** The bytes moved so far, for `STAT`. */
  get bytes(): number {
    return this.data.bytes;
  }

  /** Drops the transfer (`ABOR`, the control connection closing); `reply` sends its `426`. */
  abort(reply = true): void {
    if (this.#over) return;
    if (reply) this.#fail(426, 'Connection closed; transfer aborted');
    else this.#cleanUp();
  }

  /**
   * Everything was handed to the data connection: it closes once that is sent, and the `226` goes now.
   * Clients read the data connection to its end whatever the order, and waiting for their side of the
   * close would wait on clients that close only after the `226`.
   */
  #sent(): void {
    this.data.finish();
    this.#end(226, `Transfer complete: ${this.what}`);
  }

  #cleanUp(): void {
    this.#over = true;
    this.data.abort();
    this.#file?.close();
    this.#upload?.abort();
    if (this.protocol.transfer === this) this.protocol.transfer = null;
  }

  #fail(code: number, text: string): void {
    if (this.#over) return;
    this.#cleanUp();
    this.protocol.reply(code, text);
    this.protocol.transferEnded();
  }

  #end(code: number, text: string): void {
    if (this.#over) return;
    this.#over = true;
    this.protocol.reply(code, text);
    this.protocol.transferEnded();
  }
}
