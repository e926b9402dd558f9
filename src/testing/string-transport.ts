/**
 * `StringTransport`: a transport that records what a protocol writes (Twisted's
 * `twisted.internet.testing.StringTransport`; Netty's `EmbeddedChannel`). A protocol test feeds bytes in with
 * `protocol.dataReceived(...)` and reads what came out with `transport.value()`.
 * @module
 */
import { Failure } from '../defer/index.js';
import { IPv4Address } from '../internet/address.js';
import { ConnectionAborted, ConnectionDone } from '../internet/error.js';
import { writeBufferLimits } from '../internet/capabilities.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, ITLSTransport, TLSOptions, WriteBufferLimits } from '../internet/interfaces.js';
import { concat, toBytes } from './bytes.js';

/** The transport's own state as a push producer (of the bytes it reads): changed by the protocol's `pauseProducing` & co. */
export type ProducerState = 'producing' | 'paused' | 'stopped';

/** Options of a {@link StringTransport}. */
export interface StringTransportOptions {
  /** What `getHost()` returns; default `IPv4Address('TCP', '10.0.0.1', 12345)`. */
  hostAddress?: IAddress;
  /** What `getPeer()` returns; default `IPv4Address('TCP', '192.168.1.1', 54321)`. */
  peerAddress?: IAddress;
  /** A connection TLS protects from the start, as `listenSSL` gives (default false: only after `startTLS`). */
  secure?: boolean;
}

/**
 * Records writes, connection state and producer registration; sends nothing anywhere.
 *
 * @example
 * const transport = new StringTransport();
 * const protocol = new Echo();
 * protocol.makeConnection(transport);
 * protocol.dataReceived(Buffer.from('hello'));
 * assert.equal(transport.valueString(), 'hello');
 */
export class StringTransport implements ITLSTransport {
  /** True once `loseConnection` or `abortConnection` was called. */
  disconnecting = false;
  /** True once `abortConnection` was called. */
  aborted = false;
  /** True once `loseWriteConnection` was called (half-close). */
  writeConnectionLost = false;
  /** The producer registered with `registerProducer`, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether the registered producer is a streaming (push) one. */
  streaming: boolean | null = null;
  /** The transport's own reading state, as set by `pauseProducing`, `resumeProducing`, `stopProducing`. */
  producerState: ProducerState = 'producing';
  /** The options and side of the last `startTLS` call, or null. */
  tls: { options: TLSOptions; asServer: boolean; bytesBefore: number } | null = null;
  /** What `getPeerCertificate()` returns: set it to test code that inspects the peer's certificate. */
  peerCertificate: unknown = null;
  /** The ALPN protocol to report once TLS started: set it to test protocol selection. */
  negotiatedProtocol: string | null = null;
  /** Host address, changeable by tests. */
  hostAddress: IAddress;
  /** Peer address, changeable by tests. */
  peerAddress: IAddress;
  /** True for a connection TLS protects from the start; `isSecure()` is also true once `startTLS` was called. */
  secure: boolean;
  /**
   * What `getWriteBufferSize()` returns: nothing is really buffered here, so a test sets it to see how a
   * protocol behaves behind a slow peer (pausing the registered producer itself, with `producer.pauseProducing()`).
   */
  writeBufferSize = 0;
  /** How many `cork()` calls are not yet matched by `uncork()` (writes are recorded either way). */
  corked = 0;
  #limits: WriteBufferLimits = writeBufferLimits();
  #chunks: Uint8Array[] = [];
  #noDelay = false;
  #keepAlive = false;

  constructor(options: StringTransportOptions = {}) {
    this.hostAddress = options.hostAddress ?? new IPv4Address('TCP', '10.0.0.1', 12345);
    this.peerAddress = options.peerAddress ?? new IPv4Address('TCP', '192.168.1.1', 54321);
    this.secure = options.secure ?? false;
  }

  /** Everything written since construction or the last `clear()`. */
  value(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [concat(this.#chunks)];
    return this.#chunks[0] as Buffer;
  }

  /** {@link StringTransport.value} decoded as UTF-8. */
  valueString(): string {
    return this.value().toString('utf8');
  }

  /** Forgets what was written so far. */
  clear(): void {
    this.#chunks = [];
  }

  /** Records `data` (a string is recorded as UTF-8). Throws `TypeError` for anything else. */
  write(data: Data): void {
    this.#chunks.push(toBytes(data));
  }

  /** Records each chunk in turn. */
  writeSequence(data: readonly Data[]): void {
    for (const chunk of data) this.write(chunk);
  }

  /** Counts in `corked`. */
  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (this.corked > 0) this.corked--;
  }

  /** The `writeBufferSize` field. */
  getWriteBufferSize(): number {
    return this.writeBufferSize;
  }

  /** Records the marks (checked as a real transport checks them). */
  setWriteBufferLimits(high?: number, low?: number): void {
    this.#limits = writeBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#limits;
  }

  /** Sets `disconnecting`; the protocol is not told (see {@link StringTransportWithDisconnection}). */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Sets `aborted` and `disconnecting`. */
  abortConnection(): void {
    this.aborted = true;
    this.disconnecting = true;
  }

  /** Records the half-close in `writeConnectionLost`. */
  loseWriteConnection(): void {
    this.writeConnectionLost = true;
  }

  getPeer(): IAddress {
    return this.peerAddress;
  }

  getHost(): IAddress {
    return this.hostAddress;
  }

  /** Records the producer (a pull producer is not asked for data: the test drives it); a second one without `unregisterProducer` first throws, as in Twisted. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new Error(`Cannot register producer ${producer}, because producer ${this.producer} was never unregistered.`);
    this.producer = producer;
    this.streaming = streaming;
  }

  /** Unregisters the producer; throws if there is none. */
  unregisterProducer(): void {
    if (this.producer === null) throw new Error('Cannot unregister a producer unless one is registered');
    this.producer = null;
    this.streaming = null;
  }

  /** Records that the protocol asked to stop reading. */
  pauseProducing(): void {
    this.#checkNotStopped();
    this.producerState = 'paused';
  }

  /** Records that the protocol asked to read again. */
  resumeProducing(): void {
    this.#checkNotStopped();
    this.producerState = 'producing';
  }

  /** Records that the protocol asked to stop reading for good. */
  stopProducing(): void {
    this.producerState = 'stopped';
  }

  /** Records the switch to TLS (in `tls`, with how many bytes were written before it); writes go on being recorded in clear. */
  startTLS(options: TLSOptions, asServer = false): void {
    this.tls = { options, asServer, bytesBefore: this.value().length };
  }

  /** True if `secure` was set, or once `startTLS` was called. */
  isSecure(): boolean {
    return this.secure || this.tls !== null;
  }

  getPeerCertificate(): unknown {
    return this.peerCertificate;
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#noDelay = enabled;
  }

  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  setTcpKeepAlive(enabled: boolean): void {
    this.#keepAlive = enabled;
  }

  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  #checkNotStopped(): void {
    if (this.producerState === 'stopped') throw new Error('Cannot resume or pause a transport that stopped producing');
  }
}

/**
 * A `StringTransport` that tells its protocol when it goes away: `loseConnection` calls
 * `protocol.connectionLost(ConnectionDone)`, `abortConnection` calls it with `ConnectionAborted`, once.
 *
 * @example
 * const transport = new StringTransportWithDisconnection();
 * transport.protocol = protocol;
 * protocol.makeConnection(transport);
 * transport.loseConnection(); // protocol.connectionLost(Failure(ConnectionDone))
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The protocol to tell; set it before the connection closes. */
  protocol: IProtocol | null = null;
  /** False once the protocol has been told the connection is lost. */
  connected = true;
  /** Called after the protocol was told `connectionLost` (a fake connector tells its factory). */
  onConnectionLost: ((reason: Failure) => void) | null = null;

  /** @param protocol the protocol to tell (may also be set later with the `protocol` field) */
  constructor(options: StringTransportOptions & { protocol?: IProtocol } = {}) {
    super(options);
    this.protocol = options.protocol ?? null;
  }

  override loseConnection(): void {
    super.loseConnection();
    this.#lose(new ConnectionDone('Bye.'));
  }

  override abortConnection(): void {
    super.abortConnection();
    this.#lose(new ConnectionAborted());
  }

  #lose(reason: Error): void {
    if (!this.connected) return;
    this.connected = false;
    if (this.producer) {
      const producer = this.producer;
      this.producer = null;
      this.streaming = null;
      producer.stopProducing();
    }
    const failure = new Failure(reason);
    this.protocol?.connectionLost(failure);
    this.onConnectionLost?.(failure);
  }
}
