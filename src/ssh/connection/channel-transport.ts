/**
 * `ChannelTransport`: a stream transport over one channel, so any `Protocol` (an SFTP server, a remote
 * command's client, a forwarded connection) runs over SSH as over TCP.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { ConnectionDone } from '../../internet/error.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, ITransport, IConsumer } from '../../internet/interfaces.js';
import { SSHChannel, type SSHChannelOptions } from './channel.js';

/** The address of an SSH channel, for `getPeer`/`getHost`. */
export class SSHChannelAddress implements IAddress {
  readonly type = 'PIPE' as const;
  constructor(
    /** The channel's number on this side. */
    readonly channelId: number,
    /** The TCP peer of the SSH connection, when known. */
    readonly peer: { host: string; port: number } | undefined,
  ) {}

  toString(): string {
    return `SSHChannel(${this.channelId}${this.peer ? ` from ${this.peer.host}:${this.peer.port}` : ''})`;
  }
}

/**
 * A protocol's transport over a channel: writes go to the channel (paced by its window), `loseConnection`
 * closes it, and pausing stops the channel's window. The owner calls `connectionLost` when the channel closes.
 */
export class ChannelTransport implements ITransport, IConsumer, IPushProducer {
  disconnecting = false;
  #lost = false;
  /** Paused by the protocol (`pauseProducing`), and by this transport while the peer is not reading. */
  #pausedByProtocol = false;
  #pausedByWrites = false;

  constructor(
    readonly channel: SSHChannel,
    readonly protocol: IProtocol,
  ) {}

  /**
   * Writes to the channel. While more than `channelWriteHighWater` bytes wait for the peer's window, no
   * window is granted back: a peer that sends requests without reading the answers stops itself.
   */
  write(data: Data): void {
    if (this.disconnecting) return;
    this.channel.write(data);
    const high = this.channel.conn?.limits.channelWriteHighWater ?? 65536;
    if (!this.#pausedByWrites && this.channel.getWriteBufferSize() > high) {
      this.#pausedByWrites = true;
      this.channel.pauseProducing();
      this.channel.callAfterFlush(() => {
        this.#pausedByWrites = false;
        if (!this.#pausedByProtocol) this.channel.resumeProducing();
      });
    }
  }

  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  /** Half-closes: sends EOF (the command's stdin ends) and keeps reading until the peer closes. */
  loseWriteConnection(): void {
    if (!this.disconnecting) this.channel.sendEOF();
  }

  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.channel.sendEOF();
    this.channel.loseConnection();
  }

  getPeer(): IAddress {
    return new SSHChannelAddress(this.channel.id, this.channel.conn?.transport?.peerAddress);
  }

  getHost(): IAddress {
    return new SSHChannelAddress(this.channel.id, undefined);
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.channel.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.channel.unregisterProducer();
  }

  pauseProducing(): void {
    this.#pausedByProtocol = true;
    this.channel.pauseProducing();
  }

  resumeProducing(): void {
    this.#pausedByProtocol = false;
    if (!this.#pausedByWrites) this.channel.resumeProducing();
  }

  stopProducing(): void {
    this.loseConnection();
  }

  /** The channel closed: tells the protocol, once. */
  connectionLost(reason: Failure = new Failure(new ConnectionDone('the channel closed'))): void {
    if (this.#lost) return;
    this.#lost = true;
    this.disconnecting = true;
    this.protocol.connectionLost(reason);
  }
}

/**
 * A channel that runs a stream protocol over itself once open: the protocol's `makeConnection` runs in
 * `channelOpen`, its `dataReceived` gets the channel's data, its `connectionLost` runs when it closes.
 */
export class ProtocolChannel extends SSHChannel {
  transport: ChannelTransport | undefined;

  constructor(
    readonly protocol: IProtocol,
    channelType = 'session',
    options: SSHChannelOptions = {},
  ) {
    super(options);
    this.name = channelType;
  }

  /** False to start the protocol later with {@link ProtocolChannel.startProtocol} (after a subsystem request). */
  startOnOpen = true;

  override channelOpen(_specificData: Uint8Array): void {
    if (this.startOnOpen) this.startProtocol();
  }

  /** Connects the protocol to the channel (once). */
  startProtocol(): void {
    if (this.transport !== undefined) return;
    this.transport = new ChannelTransport(this, this.protocol);
    this.protocol.makeConnection(this.transport);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.transport !== undefined) this.protocol.dataReceived(data);
  }

  override eofReceived(): void {
    const halfClose = this.protocol as Partial<{ readConnectionLost(): void }>;
    if (typeof halfClose.readConnectionLost === 'function') halfClose.readConnectionLost();
    else this.loseConnection();
  }

  override closed(): void {
    this.transport?.connectionLost();
  }
}
