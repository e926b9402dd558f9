/**
 * A stream protocol over a child process's stdin and stdout (Twisted's `_WrapIProtocol` and
 * `_ProcessEndpointTransport`, behind `ProcessEndpoint`): what the protocol writes goes to the child's
 * stdin, what the child prints on stdout is `dataReceived`, and the connection ends when the child has
 * exited and closed its pipes. So a protocol written for TCP can talk to a program as well.
 * @module
 */
import { Failure } from '../defer/index.js';
import { ProcessAddress } from './address.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost, ProcessDone } from './error.js';
import type { Data, IHalfCloseableProtocol, IProcessProtocol, IProcessTransport, IProtocol, IPullProducer, IPushProducer, IStreamTransport, WriteBufferLimits } from './interfaces.js';
import { logError } from './log.js';
import { Logger } from '../logger/index.js';

const log = new Logger({ namespace: 'torsion.internet.process' });

/** What becomes of the child's stderr: logged line by line (the default, as Twisted), or read and dropped. */
export type StandardErrorBehavior = 'log' | 'drain';

/**
 * The transport a stream protocol sees over a child process. `loseConnection` closes the child's stdin once
 * everything written is sent (and a registered producer has unregistered) and hears nothing more from it;
 * `connectionLost(ConnectionDone)` follows when the child has exited. `abortConnection` kills the child.
 * `loseWriteConnection` closes stdin only: the child sees end of file and may go on writing.
 */
export class ProcessStreamTransport implements IStreamTransport {
  /** True once `loseConnection` or `abortConnection` was called (or the child is gone). */
  disconnecting = false;
  #aborted = false;
  /** A producer is registered: `loseConnection` waits for it to unregister. */
  #producing = false;
  #lost = false;

  constructor(
    readonly process: IProcessTransport,
    readonly protocol: IProtocol,
  ) {}

  /** The child's process id. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  write(data: Data): void {
    if (!this.#lost) this.process.write(data);
  }

  writeSequence(data: readonly Data[]): void {
    if (!this.#lost) this.process.writeSequence(data);
  }

  cork(): void {
    this.process.cork();
  }

  uncork(): void {
    this.process.uncork();
  }

  /** Bytes written that the child has not read yet. */
  getWriteBufferSize(): number {
    return this.process.getWriteBufferSize();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.process.setWriteBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.process.getWriteBufferLimits();
  }

  loseConnection(): void {
    if (this.disconnecting || this.#lost) return;
    this.disconnecting = true;
    if (!this.#producing) this.process.closeStdin();
  }

  /** Kills the child and closes every pipe; `connectionLost(ConnectionAborted)` follows once it is gone. */
  abortConnection(): void {
    if (this.#aborted || this.#lost) return;
    this.#aborted = true;
    this.disconnecting = true;
    try {
      this.process.signalProcess('KILL');
    } catch {
      // It has exited already: closing the pipes is all there is left to do.
    }
    this.process.loseConnection();
  }

  /** Closes the child's stdin (it sees end of file); the protocol's `writeConnectionLost` follows. */
  loseWriteConnection(): void {
    if (!this.#lost) this.process.closeStdin();
  }

  getPeer(): ProcessAddress {
    return new ProcessAddress();
  }

  getHost(): ProcessAddress {
    return new ProcessAddress();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.process.registerProducer(producer, streaming);
    this.#producing = true;
  }

  /** Forgets the producer; a pending `loseConnection` proceeds. */
  unregisterProducer(): void {
    this.process.unregisterProducer();
    const was = this.#producing;
    this.#producing = false;
    if (was && this.disconnecting && !this.#aborted && !this.#lost) this.process.closeStdin();
  }

  /** Stops reading the child's output (its writes block once the pipe is full). */
  pauseProducing(): void {
    this.process.pauseProducing();
  }

  resumeProducing(): void {
    this.process.resumeProducing();
  }

  /** Same as `loseConnection`. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** @internal the child printed on stdout. */
  _dataReceived(data: Uint8Array): void {
    if (this.disconnecting) return;
    try {
      this.protocol.dataReceived(data);
    } catch (e) {
      logError(`dataReceived failed in ${this.protocol.constructor.name}; killing process ${this.pid}`, e);
      this.abortConnection();
    }
  }

  /** @internal the child's stdin is closed. */
  _writeClosed(): void {
    if (this.disconnecting) return;
    const p = this.protocol as Partial<IHalfCloseableProtocol>;
    p.writeConnectionLost?.();
  }

  /** @internal the child exited and closed its pipes. */
  _ended(reason: Failure): void {
    if (this.#lost) return;
    const closing = this.disconnecting;
    this.#lost = true;
    this.disconnecting = true;
    this.#producing = false;
    let lost: Failure;
    if (this.#aborted) lost = new Failure(new ConnectionAborted());
    else if (closing || reason.check(ProcessDone)) lost = new Failure(new ConnectionDone());
    else lost = new Failure(new ConnectionLost(`Connection lost: ${reason.getErrorMessage()}`, { cause: reason.value }));
    try {
      this.protocol.connectionLost(lost);
    } catch (e) {
      logError(`connectionLost failed in ${this.protocol.constructor.name}`, e);
    }
  }
}

/** The process protocol that runs a stream protocol over the child's stdio (see {@link ProcessStreamTransport}). */
export class ProcessStreamProtocol implements IProcessProtocol {
  /** The stream protocol's transport, once the child is started. */
  transport: ProcessStreamTransport | undefined;
  #stderr = '';

  /**
   * @param protocol the stream protocol to run
   * @param name how the child is named in the log (its executable)
   * @param stderr what becomes of the child's stderr (default `'log'`)
   */
  constructor(
    readonly protocol: IProtocol,
    readonly name: string,
    readonly stderr: StandardErrorBehavior = 'log',
  ) {}

  makeConnection(process: IProcessTransport): void {
    const transport = new ProcessStreamTransport(process, this.protocol);
    this.transport = transport;
    try {
      this.protocol.makeConnection(transport);
    } catch (e) {
      logError(`connectionMade failed in ${this.protocol.constructor.name}; killing process ${process.pid}`, e);
      transport.abortConnection();
    }
  }

  childDataReceived(fd: number, data: Uint8Array): void {
    if (fd === 1) this.transport?._dataReceived(data);
    else if (fd === 2 && this.stderr === 'log') this.#logErr(new TextDecoder().decode(data));
  }

  childConnectionLost(fd: number): void {
    if (fd === 0) this.transport?._writeClosed();
    else if (fd === 2 && this.#stderr !== '') this.#logErr('\n');
  }

  processExited(_reason: Failure): void {}

  processEnded(reason: Failure): void {
    this.transport?._ended(reason);
  }

  #logErr(text: string): void {
    const lines = (this.#stderr + text).split('\n');
    this.#stderr = lines.pop() ?? '';
    for (const line of lines) if (line !== '') log.info('{name} stderr: {line}', { name: this.name, line });
  }
}
