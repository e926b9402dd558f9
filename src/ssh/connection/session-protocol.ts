/**
 * `SSHSessionProcessProtocol`: a session channel seen as a process protocol (Twisted's), so what runs
 * behind a session — a real process from `spawnProcess`, or any code that calls these methods — writes
 * to the channel and ends it with an exit status.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import { ProcessProtocol } from '../../internet/index.js';
import type { IProcessTransport } from '../../internet/interfaces.js';
import type { SSHChannel } from './channel.js';
import { EXTENDED_DATA_STDERR, exitSignal, exitStatus } from './messages.js';

/**
 * Bridges a session channel and what runs behind it: stdout becomes channel data, stderr extended data,
 * the channel's data the process's stdin; the end sends EOF, `exit-status` (or `exit-signal`) and closes,
 * after every byte of output has gone. Each side paces the other (producer/consumer): a process writing
 * faster than the peer reads is paused, and the peer's window is not topped up while stdin is full.
 */
export class SSHSessionProcessProtocol extends ProcessProtocol {
  #input: Uint8Array[] = [];
  #inputEOF = false;
  #ended = false;

  constructor(readonly channel: SSHChannel) {
    super();
  }

  override makeConnection(transport: IProcessTransport): void {
    super.makeConnection(transport);
    this.channel.registerProducer(transport, true);
    transport.registerProducer(this.channel, true);
    for (const data of this.#input.splice(0)) transport.write(data);
    if (this.#inputEOF) transport.closeStdin();
    this.channel.resumeProducing();
  }

  override outReceived(data: Uint8Array): void {
    this.channel.write(data);
  }

  override errReceived(data: Uint8Array): void {
    this.channel.writeExtended(EXTENDED_DATA_STDERR, data);
  }

  /**
   * The process ended: sends `exit-signal` for a signal (its name without `SIG`) or `exit-status`, then
   * EOF and CLOSE, once everything written has been sent.
   */
  override processEnded(reason: Failure): void {
    if (this.#ended) return;
    this.#ended = true;
    const value = reason.value as { exitCode?: number | null; signal?: string | null };
    const channel = this.channel;
    channel.unregisterProducer();
    channel.callAfterFlush(() => {
      if (!channel.isOpen || channel.closeSent) return;
      channel.sendEOF();
      const signal = typeof value.signal === 'string' ? value.signal.replace(/^SIG/, '') : undefined;
      if (signal !== undefined) channel.sendRequest('exit-signal', exitSignal({ signal, coreDumped: false, message: '' })).addErrback(() => undefined);
      else channel.sendRequest('exit-status', exitStatus(typeof value.exitCode === 'number' ? value.exitCode : 1)).addErrback(() => undefined);
      channel.loseConnection();
    });
  }

  /** @internal Data from the peer: the process's stdin (held until the process is there). */
  input(data: Uint8Array): void {
    if (this.transport === undefined) this.#input.push(data);
    else this.transport.write(data);
  }

  /** @internal The peer sent EOF: stdin closes. */
  inputEnded(): void {
    if (this.transport === undefined) this.#inputEOF = true;
    else this.transport.closeStdin();
  }
}
