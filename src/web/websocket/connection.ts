/**
 * `WebSocketConnection`: the state machine of an open WebSocket, shared by both ends. It is the Torsion
 * protocol on the TCP (or TLS) transport once the handshake is over, and the `WebSocketTransport` the user's
 * `WebSocketProtocol` writes to.
 *
 * States: OPEN -> CLOSING (our close frame sent, waiting for the peer's) -> CLOSED (both sent, or failed)
 * -> LOST (TCP gone). Frames written while a read is being processed are gathered and written together
 * once the read is done, so a pipelining peer gets its answers in one write.
 *
 * Over plain TCP the socket reads into one buffer shared by every connection (`readIntoBuffer`), which
 * spares each read Node's buffer allocation and its readable-stream machinery; whatever is kept past a read
 * (a partial frame, a binary message or pong handed to the protocol, a fragment) is copied out of it.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { Failure } from '../../defer/index.js';
import { readIntoBuffer } from '../../internet/capabilities.js';
import type { Data, IAddress, IDelayedCall, IProtocol, IPullProducer, IPushProducer, IReactorTime, IStreamTransport, ITCPTransport, WriteBufferLimits } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import type { Request } from '../request.js';
import type { PerMessageDeflate } from './deflate.js';
import { WebSocketClosedError } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { MessageAssembler } from './message.js';
import { closePayload, parseClosePayload, CloseCode, encodeFrame, encodeTextFrame, FrameError, FrameReader, isValidCloseCode, Opcode, type FrameSink } from './frame.js';
import type { WebSocketConnectionOptions, WebSocketTransport } from './interfaces.js';
import type { PreparedMessage } from './prepared.js';
import type { WebSocketProtocol } from './protocol.js';
import { WEBSOCKET_LIMITS, WEBSOCKET_TIMEOUTS } from './limits.js';

const log = new Logger({ namespace: 'torsion.web.websocket' });

const COALESCE_LIMIT = 64 * 1024;
const LARGE_PAYLOAD = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** The connections corked for a burst in this tick, uncorked together at its end. */
let corkedThisTick: WebSocketConnection[] = [];

function uncorkAll(): void {
  const corked = corkedThisTick;
  corkedThisTick = [];
  for (const c of corked) {
    try {
      WebSocketConnection.uncorkBurst(c);
    } catch (e) {
      log.error('uncorking a WebSocket connection failed: {error}', { error: String(e) });
    }
  }
}

/** The buffer every plain-TCP WebSocket reads into (see the module comment); made with the first one. */
let sharedReadBuffer: Buffer | null = null;
const READ_BUFFER_SIZE = 64 * 1024;

/** `#out` of every connection with nothing waiting: shared, never added to (a server holds many idle connections). */
const NO_FRAMES: Buffer[] = [];

const enum State {
  OPEN,
  CLOSING,
  CLOSED,
  LOST,
}

/** What a connection is built from, besides the options. */
export interface ConnectionSetup {
  protocol: WebSocketProtocol;
  isClient: boolean;
  clock: IReactorTime;
  subprotocol: string | null;
  extensions: string | null;
  deflate: PerMessageDeflate | null;
  request?: Request;
}

/** One open WebSocket connection (see the module comment). */
export class WebSocketConnection implements IProtocol, FrameSink, WebSocketTransport {
  /** The user's protocol. */
  readonly protocol: WebSocketProtocol;
  readonly subprotocol: string | null;
  readonly extensions: string | null;
  readonly request?: Request;
  /** The underlying stream transport, set by `makeConnection`; aborted where it can be, else closed. */
  transport!: IStreamTransport & Partial<ITCPTransport>;
  readonly #isClient: boolean;
  readonly #clock: IReactorTime;
  readonly #reader: FrameReader;
  readonly #deflate: PerMessageDeflate | null;
  /** A fragmented message in progress; made with the first one (most connections never see one). */
  #message: MessageAssembler | null = null;
  readonly #maxMessageSize: number;
  /** Null when pings are off (`pingInterval` 0). */
  readonly #heartbeat: Heartbeat | null;
  readonly #pingTimeout: number;
  readonly #closeTimeout: number;
  readonly #fragmentSize: number;
  #state = State.OPEN;
  /** Payloads are views of the shared read buffer: what outlives the read is copied. */
  #borrowed = false;
  #inRead = false;
  #corked = false;
  /** Frames sent during a read, written when it ends; the shared {@link NO_FRAMES} when there are none. */
  #out: Buffer[] = NO_FRAMES;
  #outSize = 0;
  #paused = false;
  #closeTimer: IDelayedCall | null = null;
  #producerRegistered = false;
  #received: { code: number; reason: string } | null = null;
  #sentClose = false;
  #failed: { code: number; reason: string } | null = null;

  constructor(setup: ConnectionSetup, options: WebSocketConnectionOptions = {}) {
    this.protocol = setup.protocol;
    this.#isClient = setup.isClient;
    this.#clock = setup.clock;
    this.subprotocol = setup.subprotocol;
    this.extensions = setup.extensions;
    this.#deflate = setup.deflate;
    if (setup.request !== undefined) this.request = setup.request;
    this.#maxMessageSize = options.maxMessageSize ?? WEBSOCKET_LIMITS.maxMessageSize;
    this.#pingTimeout = options.pingTimeout ?? WEBSOCKET_TIMEOUTS.pingTimeout;
    const pingInterval = options.pingInterval ?? WEBSOCKET_TIMEOUTS.pingInterval;
    this.#heartbeat = pingInterval > 0 ? new Heartbeat(setup.clock, pingInterval, this.#pingTimeout, this) : null;
    this.#closeTimeout = options.closeTimeout ?? WEBSOCKET_TIMEOUTS.closeTimeout;
    this.#fragmentSize = options.fragmentSize ?? Infinity;
    this.#reader = new FrameReader({ expectMasked: !setup.isClient, maxFrameSize: options.maxFrameSize ?? this.#maxMessageSize, allowRsv1: setup.deflate !== null });
  }

  // ------------------------------------------------------------ heartbeat hooks

  /** @internal silence proves nothing while we paused reading, and pinging is over once closing. */
  heartbeatExempt(): boolean {
    return this.#paused || this.#state !== State.OPEN;
  }

  /** @internal the peer did not answer a ping in time. */
  heartbeatDead(): void {
    log.info('WebSocket peer {peer} did not answer a ping within {seconds}s; dropping the connection', { peer: String(this.getPeer()), seconds: this.#pingTimeout });
    this.abortConnection();
  }

  // ------------------------------------------------------------ IProtocol (the TCP side)

  makeConnection(transport: IStreamTransport & Partial<ITCPTransport>): void {
    this.transport = transport;
    this.connectionMade();
    // After the read that finished the handshake, so no byte the socket holds overtakes the rest of it.
    if (typeof (transport as { readIntoBuffer?: unknown }).readIntoBuffer === 'function') process.nextTick(WebSocketConnection.borrowReads, this);
  }

  /** @internal switches the transport to reading into the shared buffer, where it can. */
  static borrowReads(c: WebSocketConnection): void {
    if (c.#state >= State.CLOSED) return;
    c.#borrowed = c.#reader.borrowed = true;
    sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE);
    if (!readIntoBuffer(c.transport, sharedReadBuffer)) c.#borrowed = c.#reader.borrowed = false;
  }

  connectionMade(): void {
    this.#inRead = true;
    try {
      this.protocol.negotiationStarted(this);
      this.protocol.negotiationFinished();
    } catch (e) {
      this.#readError(e);
    } finally {
      this.#endRead();
    }
    if (this.#state === State.OPEN) this.#heartbeat?.start();
  }

  dataReceived(data: Uint8Array): void {
    if (this.#state >= State.CLOSED) return;
    if (this.#heartbeat !== null) this.#heartbeat.heard = true;
    this.#inRead = true;
    try {
      this.#reader.feed(data, this);
    } catch (e) {
      this.#readError(e);
    } finally {
      this.#endRead();
    }
  }

  connectionLost(_reason: Failure): void {
    if (this.#state === State.LOST) return;
    this.#state = State.LOST;
    this.#cancelTimers();
    this.#reader.reset();
    this.#message?.reset();
    const received = this.#received;
    let error: WebSocketClosedError;
    if (this.#failed !== null) error = new WebSocketClosedError(this.#failed.code, this.#failed.reason, false);
    else if (received !== null) error = new WebSocketClosedError(received.code, received.reason, this.#sentClose);
    else error = new WebSocketClosedError(CloseCode.ABNORMAL, '', false);
    this.protocol.connectionLost(new Failure(error));
  }

  // ------------------------------------------------------------ frames in

  /** @internal called by the frame reader for each frame. */
  frameReceived(fin: boolean, rsv1: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= Opcode.CLOSE) {
      this.#controlReceived(opcode, payload);
      return;
    }
    let message = this.#message;
    if (this.#borrowed && !(fin && !rsv1 && opcode !== Opcode.CONTINUATION)) payload = Buffer.from(payload);
    if (opcode === Opcode.CONTINUATION) {
      if (message === null || message.opcode === 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'continuation frame with no message started');
      message.add(payload);
    } else {
      if (message !== null && message.opcode !== 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'new message before the fragmented one ended');
      if (fin && !rsv1) {
        if (payload.length > this.#maxMessageSize) throw new FrameError(CloseCode.MESSAGE_TOO_BIG, 'message over maxMessageSize');
        this.#deliver(opcode, payload, this.#borrowed);
        return;
      }
      message ??= this.#message = new MessageAssembler(this.#maxMessageSize, this.#deflate);
      message.start(opcode, rsv1, payload);
    }
    if (!fin) return;
    const whole = message.finish();
    if (whole.text !== null) this.protocol.textMessageReceived(whole.text);
    else this.#deliver(whole.opcode, whole.payload!, false);
  }

  /** `lent`: `payload` is a view of the shared read buffer. */
  #deliver(opcode: number, payload: Buffer, lent: boolean): void {
    if (opcode === Opcode.TEXT) {
      if (!isUtf8(payload)) throw new FrameError(CloseCode.INVALID_PAYLOAD, 'text message is not valid UTF-8');
      this.protocol.textMessageReceived(payload.toString('utf8'));
    } else this.protocol.bytesMessageReceived(lent ? Buffer.from(payload) : payload);
  }

  #controlReceived(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.PING) {
      if (this.#state === State.OPEN) this.#send(encodeFrame(Opcode.PONG, payload, this.#isClient));
    } else if (opcode === Opcode.PONG) {
      this.protocol.pongReceived(this.#borrowed ? Buffer.from(payload) : payload);
    } else this.#closeReceived(payload);
  }

  #closeReceived(payload: Buffer): void {
    const received = parseClosePayload(payload);
    const code = received.code;
    this.#received = received;
    if (!this.#sentClose) {
      this.#sentClose = true;
      this.#send(encodeFrame(Opcode.CLOSE, closePayload(code, ''), this.#isClient));
    }
    this.#state = State.CLOSED;
    this.#reader.paused = true;
    this.#reader.reset();
    this.#closeTransport();
  }

  #readError(e: unknown): void {
    if (e instanceof FrameError) {
      this.#fail(e.closeCode, e.message);
      return;
    }
    log.failure('WebSocket protocol {protocol} raised an error handling a message', new Failure(e), { protocol: this.protocol.constructor.name });
    this.#fail(CloseCode.INTERNAL_ERROR, 'internal error');
  }

  /** Fails the connection (RFC 6455 section 7.1.7): a close frame with `code`, then the TCP connection closes. */
  #fail(code: number, reason: string): void {
    if (this.#state >= State.CLOSED) return;
    log.debug('failing WebSocket connection with {code}: {reason}', { code, reason });
    this.#failed = { code, reason };
    if (!this.#sentClose) {
      this.#sentClose = true;
      this.#send(encodeFrame(Opcode.CLOSE, closePayload(code, reason), this.#isClient));
    }
    this.#state = State.CLOSED;
    this.#reader.paused = true;
    this.#reader.reset();
    this.#flushOut();
    this.unregisterProducer();
    this.transport.loseConnection();
    this.#armCloseTimer();
  }

  /** Both close frames have passed: the server closes TCP now, the client waits for the server to (section 7.1.1). */
  #closeTransport(): void {
    if (!this.#isClient) {
      this.#flushOut();
      // Nothing can follow the close frames, so a registered producer must not hold the TCP close back.
      this.unregisterProducer();
      this.transport.loseConnection();
    }
    this.#armCloseTimer();
  }

  #armCloseTimer(): void {
    if (this.#closeTimer !== null) this.#closeTimer.cancel();
    this.#closeTimer = this.#clock.callLater(this.#closeTimeout, () => {
      this.#closeTimer = null;
      this.abortConnection();
    });
  }

  #cancelTimers(): void {
    this.#heartbeat?.stop();
    if (this.#closeTimer?.active()) this.#closeTimer.cancel();
    this.#closeTimer = null;
  }

  // ------------------------------------------------------------ frames out

  #send(frame: Buffer): void {
    if (this.#inRead) {
      if (this.#out === NO_FRAMES) this.#out = [];
      this.#out.push(frame);
      this.#outSize += frame.length;
      if (this.#outSize >= COALESCE_LIMIT) this.#flushOut();
      return;
    }
    if (!this.#corked) this.#corkBurst();
    this.transport.write(frame);
  }

  /**
   * Sends made outside a read (a loop of `sendTextMessage`, a producer) are a burst: the transport is corked
   * until the next tick so the burst leaves in one system call (the pattern Node's documentation gives for
   * `socket.cork`). Nothing waits longer than the current tick.
   */
  #corkBurst(): void {
    this.#corked = true;
    this.transport.cork();
    // One tick callback uncorks every connection corked in this tick (a broadcast corks thousands).
    if (corkedThisTick.push(this) === 1) process.nextTick(uncorkAll);
  }

  /** @internal ends the burst `#corkBurst` began. */
  static uncorkBurst(connection: WebSocketConnection): void {
    connection.#corked = false;
    connection.transport.uncork();
  }

  #flushOut(): void {
    const out = this.#out;
    if (out.length === 0) return;
    this.#out = NO_FRAMES;
    const size = this.#outSize;
    this.#outSize = 0;
    if (out.length === 1) this.transport.write(out[0]!);
    else if (size < COALESCE_LIMIT) this.transport.write(Buffer.concat(out, size));
    else this.transport.writeSequence(out);
  }

  #endRead(): void {
    this.#inRead = false;
    this.#flushOut();
  }

  #sendMessage(opcode: number, data: Buffer): void {
    const deflate = this.#deflate;
    const compressed = deflate !== null && data.length >= deflate.threshold;
    const payload = compressed ? deflate.compress(data) : data;
    const size = this.#fragmentSize;
    if (payload.length <= size) {
      // A large unmasked payload goes out as it is, behind its own header, instead of being copied.
      if (!this.#isClient && payload.length >= LARGE_PAYLOAD) {
        this.#send(encodeFrame(opcode, EMPTY, false, true, compressed, payload.length));
        this.#send(payload);
      } else this.#send(encodeFrame(opcode, payload, this.#isClient, true, compressed));
      return;
    }
    for (let at = 0; at < payload.length; at += size) {
      const last = at + size >= payload.length;
      this.#send(encodeFrame(at === 0 ? opcode : Opcode.CONTINUATION, payload.subarray(at, at + size), this.#isClient, last, compressed && at === 0));
    }
  }

  sendTextMessage(text: string): void {
    if (this.#sentClose || this.#state === State.LOST) return;
    if ((this.#deflate !== null && text.length * 3 >= this.#deflate.threshold) || text.length * 3 > this.#fragmentSize) this.#sendMessage(Opcode.TEXT, Buffer.from(text, 'utf8'));
    else this.#send(encodeTextFrame(text, this.#isClient));
  }

  sendBytesMessage(data: Uint8Array): void {
    if (this.#sentClose || this.#state === State.LOST) return;
    this.#sendMessage(Opcode.BINARY, Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  /**
   * Sends a message framed once for many connections. A server writes the prepared frame itself, not a
   * copy; a client (which must mask), or a connection that fragments messages that long, frames it anew.
   */
  sendPreparedMessage(message: PreparedMessage): void {
    if (this.#sentClose || this.#state === State.LOST) return;
    if (this.#isClient || message.payloadLength > this.#fragmentSize) this.write(message.data);
    else this.#send(message.frame);
  }

  /** `IConsumer.write`: a string is sent as a text message, bytes as a binary message. */
  write(data: Data): void {
    if (typeof data === 'string') this.sendTextMessage(data);
    else this.sendBytesMessage(data);
  }

  ping(payload: Uint8Array = EMPTY): void {
    if (payload.byteLength > 125) throw new RangeError('a ping payload is at most 125 bytes');
    if (this.#sentClose || this.#state === State.LOST) return;
    this.#send(encodeFrame(Opcode.PING, payload, this.#isClient));
  }

  loseConnection(code: number = CloseCode.NORMAL, reason = ''): void {
    if (!isValidCloseCode(code)) throw new RangeError(`${code} is not a close code an endpoint may send`);
    if (this.#sentClose || this.#state !== State.OPEN) return;
    this.#sentClose = true;
    this.#state = State.CLOSING;
    this.#send(encodeFrame(Opcode.CLOSE, closePayload(code, reason), this.#isClient));
    this.#armCloseTimer();
  }

  abortConnection(): void {
    if (this.#state === State.LOST) return;
    const t = this.transport;
    if (typeof t.abortConnection === 'function') t.abortConnection();
    else t.loseConnection();
  }

  // ------------------------------------------------------------ flow control

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
    this.#producerRegistered = true;
  }

  unregisterProducer(): void {
    if (!this.#producerRegistered) return;
    this.#producerRegistered = false;
    this.transport.unregisterProducer();
  }

  pauseProducing(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#reader.paused = true;
    this.transport.pauseProducing();
  }

  resumeProducing(): void {
    if (!this.#paused || this.#state >= State.CLOSED) return;
    this.#paused = false;
    this.#reader.paused = false;
    if (this.#inRead) {
      // Resumed from inside a message callback: the read in progress goes on with the held frames.
      this.transport.resumeProducing();
      return;
    }
    this.#inRead = true;
    try {
      this.#reader.drain(this);
    } catch (e) {
      this.#readError(e);
    } finally {
      this.#endRead();
    }
    if (!this.#paused) this.transport.resumeProducing();
  }

  /** `IPushProducer.stopProducing`: drops the connection. */
  stopProducing(): void {
    this.abortConnection();
  }

  /** Bytes sent and not yet out: frames gathered during a read, and what the stream transport holds. */
  getWriteBufferSize(): number {
    return this.#outSize + this.transport.getWriteBufferSize();
  }

  /** Sets the marks of the stream transport under the connection (see `IWriteBuffer`). */
  setWriteBufferLimits(high?: number, low?: number): void {
    this.transport.setWriteBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.transport.getWriteBufferLimits();
  }

  getPeer(): IAddress {
    return this.transport.getPeer();
  }

  getHost(): IAddress {
    return this.transport.getHost();
  }
}
