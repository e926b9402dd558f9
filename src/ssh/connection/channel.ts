/**
 * `SSHChannel`: one channel of a connection (RFC 4254 §5), Twisted's `SSHChannel`. Subclasses override
 * the hooks (`channelOpen`, `dataReceived`, `extReceived`, `eofReceived`, `closeReceived`, `closed`,
 * `requestReceived`) and call the actions (`write`, `writeExtended`, `sendEOF`, `loseConnection`).
 *
 * Flow control both ways: writes are cut to the peer's window and maximum packet, and what does not fit
 * waits until a WINDOW_ADJUST opens the window (a registered producer is paused meanwhile); data received
 * is counted against the window this side granted, which is topped back up once half is used, unless the
 * channel is paused as a producer (its consumer is full), so a slow reader stops a fast writer.
 * @module
 */
import type { Deferrable, Deferred } from '../../defer/index.js';
import type { Data, IConsumer, IPullProducer, IPushProducer } from '../../internet/interfaces.js';
import type { SSHConnection } from './connection.js';
import { ChannelClosedError, type ChannelOpenError } from './errors.js';

/** Options of an {@link SSHChannel}. */
export interface SSHChannelOptions {
  /** The window granted to the peer (the connection's `windowSize` limit by default). */
  localWindow?: number;
  /** The largest data packet accepted (the connection's `maxPacketSize` limit by default). */
  localMaxPacket?: number;
}

const encoder = new TextEncoder();

interface Pending {
  dataType: number | undefined;
  data: Uint8Array;
}

/**
 * A channel. The connection sets `id`, `remoteId`, the windows and `conn` when it opens.
 *
 * @example
 * class Echo extends SSHChannel {
 *   override name = 'session';
 *   override dataReceived(data: Uint8Array) { this.write(data); }
 *   override eofReceived() { this.loseConnection(); }
 * }
 */
export class SSHChannel implements IConsumer, IPushProducer {
  /** The channel type, sent in CHANNEL_OPEN. */
  name = 'session';
  /** This side's channel number, once the connection has one for it. */
  id = -1;
  /** The peer's channel number, once open. */
  remoteId = -1;
  /** The connection, once the channel is opened on one. */
  conn: SSHConnection | undefined;
  /** The window granted to the peer when full. */
  localWindowSize: number | undefined;
  /** What is left of it. */
  localWindowLeft = 0;
  localMaxPacket: number | undefined;
  /** What the peer lets this side send before its next WINDOW_ADJUST. */
  remoteWindowLeft = 0;
  remoteMaxPacket = 0;
  /** True once CHANNEL_EOF was sent. */
  eofSent = false;
  /** True once the peer sent CHANNEL_EOF. */
  eofReceivedFlag = false;
  /** True once CHANNEL_CLOSE was sent. */
  closeSent = false;
  /** True once the peer sent CHANNEL_CLOSE. */
  closeReceivedFlag = false;
  /** True once open on both sides (CHANNEL_OPEN_CONFIRMATION sent or received). */
  isOpen = false;

  readonly #pending: Pending[] = [];
  #pendingBytes = 0;
  #eofAfterFlush = false;
  #closeAfterFlush = false;
  readonly #afterFlush: Array<() => void> = [];
  readonly #afterReply: Array<() => void> = [];
  #producer: IPushProducer | IPullProducer | undefined;
  #streaming = false;
  #producerPaused = false;
  #receivingPaused = false;

  constructor(options: SSHChannelOptions = {}) {
    this.localWindowSize = options.localWindow;
    this.localMaxPacket = options.localMaxPacket;
  }

  // ------------------------------------------------------------ hooks

  /** The channel is open; `specificData` is the type-specific data of the confirmation (or open request). */
  channelOpen(_specificData: Uint8Array): void {}

  /** The peer refused to open the channel. */
  openFailed(_reason: ChannelOpenError): void {}

  /** A channel request (RFC 4254 §5.4): answer true to accept. Unknown requests are refused. */
  requestReceived(_requestType: string, _data: Uint8Array): Deferrable<boolean> {
    return false;
  }

  /** Data arrived. */
  dataReceived(_data: Uint8Array): void {}

  /** Extended data arrived (`dataType` 1 is stderr). */
  extReceived(_dataType: number, _data: Uint8Array): void {}

  /** The peer will send no more data. */
  eofReceived(): void {}

  /** The peer closed the channel; by default this side closes too (the connection makes sure it does). */
  closeReceived(): void {
    this.loseConnection();
  }

  /** Both sides closed the channel, or the connection ended: release everything. */
  closed(): void {}

  /** The peer's window opened again after this side had data waiting (Twisted's `startWriting`). */
  startWriting(): void {}

  /** Data is waiting for the peer's window (Twisted's `stopWriting`). */
  stopWriting(): void {}

  // ------------------------------------------------------------ actions

  /** Sends data, cut to the window and maximum packet; what does not fit waits for WINDOW_ADJUST. */
  write(data: Data): void {
    this.#queue(undefined, typeof data === 'string' ? encoder.encode(data) : data);
  }

  /** Sends each chunk, in order. */
  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  /** Sends extended data (`dataType` 1, `EXTENDED_DATA_STDERR`, is stderr). */
  writeExtended(dataType: number, data: Data): void {
    this.#queue(dataType, typeof data === 'string' ? encoder.encode(data) : data);
  }

  /** Sends CHANNEL_EOF once everything written has been sent. */
  sendEOF(): void {
    if (this.eofSent || this.closeSent) return;
    if (this.#pendingBytes > 0) this.#eofAfterFlush = true;
    else this.conn?.sendEOF(this);
  }

  /** Closes the channel once everything written has been sent. */
  loseConnection(): void {
    if (this.closeSent) return;
    this.#closeAfterFlush = true;
    if (this.#pendingBytes === 0 && this.isOpen) this.conn?.sendClose(this);
  }

  /** Runs `fn` once everything written so far has been sent (at once if nothing waits). */
  callAfterFlush(fn: () => void): void {
    if (this.#pendingBytes === 0) fn();
    else this.#afterFlush.push(fn);
  }

  /** Sends a channel request; with `wantReply` the Deferred fires with the reply (or fails with `RequestFailedError`). */
  sendRequest(requestType: string, data: Uint8Array, wantReply = false): Deferred<void> {
    if (this.conn === undefined) throw new ChannelClosedError('sendRequest on a channel that is not open');
    return this.conn.sendRequest(this, requestType, data, wantReply);
  }

  /**
   * Runs `fn` once the answer to the channel request being handled has been sent, so what a request
   * starts (a command's output) never reaches the peer before the request's SUCCESS.
   */
  afterReply(fn: () => void): void {
    this.#afterReply.push(fn);
  }

  /** Bytes written and not yet sent (waiting for the window). */
  getWriteBufferSize(): number {
    return this.#pendingBytes;
  }

  // ------------------------------------------------------------ IConsumer: producers writing into the channel

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== undefined) throw new Error('a producer is already registered on this channel');
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (streaming) this.#checkHighWater();
    else if (this.#pendingBytes === 0) (producer as IPullProducer).resumeProducing();
  }

  unregisterProducer(): void {
    this.#producer = undefined;
    this.#producerPaused = false;
  }

  // ------------------------------------------------------------ IPushProducer: what the channel receives

  /** Stops granting window: the peer stops sending once the window is used up. */
  pauseProducing(): void {
    this.#receivingPaused = true;
  }

  /** Grants window again. */
  resumeProducing(): void {
    this.#receivingPaused = false;
    this.#maybeAdjustWindow();
  }

  /**
   * The consumer went away (a process's stdin closed, a socket ended). The channel stays: its own end
   * comes from the peer or from `loseConnection`.
   */
  stopProducing(): void {}

  // ------------------------------------------------------------ called by the connection

  /** @internal The channel is open with the peer's number, window and maximum packet. */
  opened(remoteId: number, remoteWindow: number, remoteMaxPacket: number): void {
    this.remoteId = remoteId;
    this.remoteWindowLeft = remoteWindow;
    this.remoteMaxPacket = remoteMaxPacket;
    this.isOpen = true;
  }

  /** @internal Starts sending what was written before the channel opened, and closes if asked meanwhile. */
  flushAfterOpen(): void {
    this.#flush();
  }

  /** @internal WINDOW_ADJUST: more may be sent. */
  windowAdjusted(bytes: number): void {
    this.remoteWindowLeft += bytes;
    this.#flush();
  }

  /** @internal `bytes` of data arrived: counts them, delivers them, tops the window up. */
  dataArrived(dataType: number | undefined, data: Uint8Array): void {
    this.localWindowLeft -= data.length;
    if (dataType === undefined) this.dataReceived(data);
    else this.extReceived(dataType, data);
    this.#maybeAdjustWindow();
  }

  /** @internal The answers to the requests handled so far have been sent. */
  repliesSent(): void {
    for (const fn of this.#afterReply.splice(0)) fn();
  }

  /** @internal The channel is gone: nothing more is sent. */
  discard(): void {
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#afterFlush.length = 0;
    this.#afterReply.length = 0;
    this.#producer = undefined;
  }

  // ------------------------------------------------------------ internals

  #queue(dataType: number | undefined, data: Uint8Array): void {
    if (this.eofSent || this.closeSent || this.#eofAfterFlush || this.#closeAfterFlush || data.length === 0) return;
    this.#pending.push({ dataType, data });
    this.#pendingBytes += data.length;
    this.#flush();
  }

  #flush(): void {
    const conn = this.conn;
    if (!this.isOpen || conn === undefined || this.closeSent) return;
    const wasWaiting = this.#pendingBytes > 0;
    if (this.#pending.length > 0 && this.remoteWindowLeft > 0) conn.batchWrites(() => this.#sendPending(conn));
    if (this.#pendingBytes > 0) {
      if (!wasWaiting || this.remoteWindowLeft === 0) this.stopWriting();
      this.#checkHighWater();
      return;
    }
    if (wasWaiting) this.startWriting();
    for (const fn of this.#afterFlush.splice(0)) fn();
    if (this.#eofAfterFlush && !this.eofSent) conn.sendEOF(this);
    if (this.#closeAfterFlush && !this.closeSent) conn.sendClose(this);
    if (this.#producer !== undefined) {
      if (this.#streaming && this.#producerPaused) {
        this.#producerPaused = false;
        (this.#producer as IPushProducer).resumeProducing();
      } else if (!this.#streaming) {
        this.#producer.resumeProducing();
      }
    }
  }

  /** Sends what waits, cut to the window and the maximum packet. */
  #sendPending(conn: SSHConnection): void {
    const packet = Math.min(this.remoteMaxPacket, conn.limits.maxSendPacketSize);
    while (this.#pending.length > 0 && this.remoteWindowLeft > 0) {
      const head = this.#pending[0];
      const size = Math.min(head.data.length, packet, this.remoteWindowLeft);
      const chunk = head.data.subarray(0, size);
      if (size === head.data.length) this.#pending.shift();
      else head.data = head.data.subarray(size);
      this.#pendingBytes -= size;
      this.remoteWindowLeft -= size;
      if (head.dataType === undefined) conn.sendData(this, chunk);
      else conn.sendExtendedData(this, head.dataType, chunk);
    }
  }

  #checkHighWater(): void {
    const high = this.conn?.limits.channelWriteHighWater ?? 65536;
    if (this.#streaming && this.#producer !== undefined && !this.#producerPaused && this.#pendingBytes > high) {
      this.#producerPaused = true;
      (this.#producer as IPushProducer).pauseProducing();
    }
  }

  #maybeAdjustWindow(): void {
    const size = this.localWindowSize ?? 0;
    if (this.#receivingPaused || this.closeSent || this.conn === undefined || this.localWindowLeft >= size / 2) return;
    const bytes = size - this.localWindowLeft;
    this.localWindowLeft = size;
    this.conn.adjustWindow(this, bytes);
  }
}
