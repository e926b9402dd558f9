/**
 * `ResponseBridge`: the transport an `HTTPChannel` writes to when a Node server received the request. The
 * channel's bytes are parsed back into a head and body pieces and handed to Node's `ServerResponse`;
 * `res.write` returning false pauses the channel's producer and `'drain'` resumes it; the channel pausing
 * its transport pauses Node's `IncomingMessage`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Failure } from '../../defer/index.js';
import { tcpAddress } from '../../internet/addresses.js';
import { writeBufferLimits } from '../../internet/capabilities.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../../internet/error.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, IStreamTransport, WriteBufferLimits } from '../../internet/interfaces.js';
import { logError } from '../../internet/log.js';
import { ResponseParser } from '../response-parser.js';
import { HOP_BY_HOP } from './limits.js';

const encoder = new TextEncoder();

/** One Node request/response pair as a stream transport for one `HTTPChannel`. */
export class ResponseBridge implements IStreamTransport {
  disconnecting = false;
  #lost = false;
  #limits: WriteBufferLimits = writeBufferLimits();
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #paused = false;
  readonly #parser: ResponseParser;
  #protocol: IProtocol | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.#parser = new ResponseParser(
      {
        head: (code, message, headers) => {
          const out: string[] = [];
          for (let i = 0; i < headers.length; i += 2) if (!HOP_BY_HOP.has(headers[i]!)) out.push(headers[i]!, headers[i + 1]!);
          res.writeHead(code, message, out);
          // A response without a framing header of its own is streamed by Node in chunks.
        },
        data: (chunk) => {
          if (!res.write(chunk)) this.#full();
        },
        done: () => {
          res.end();
        },
      },
      req.method === 'HEAD',
      { maxHeadSize: Number.MAX_SAFE_INTEGER, maxHeaders: Number.MAX_SAFE_INTEGER },
    );
    res.on('drain', () => this.#drained());
    res.on('close', () => {
      if (!res.writableFinished) this.#connectionLost(new ConnectionLost('Connection to the other side was lost: the client went away.'));
    });
    req.on('error', () => this.#connectionLost(new ConnectionLost('Connection to the other side was lost: the request failed.')));
  }

  /** True once the channel was told the connection ended: request bytes still arriving are dropped. */
  get closed(): boolean {
    return this.#lost;
  }

  /** Connects `protocol` (calls `makeConnection`). */
  start(protocol: IProtocol): void {
    this.#protocol = protocol;
    protocol.makeConnection(this);
  }

  write(data: Data): void {
    if (this.#lost || this.#parser.done) return;
    try {
      this.#parser.feed(typeof data === 'string' ? encoder.encode(data) : data);
    } catch (e) {
      logError('an unreadable response from the Torsion site; dropping it', e);
      this.abortConnection();
    }
  }

  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  /** Holds writes until the matching `uncork`, so a head and its body leave Node together. */
  cork(): void {
    this.res.cork();
  }

  uncork(): void {
    this.res.uncork();
  }

  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    if (!this.#parser.done && !this.#lost) {
      try {
        this.#parser.end();
      } catch {
        this.res.destroy();
      }
    }
    this.#deferLost(new ConnectionDone());
  }

  abortConnection(): void {
    if (this.#lost) return;
    this.disconnecting = true;
    this.res.destroy();
    this.#deferLost(new ConnectionAborted());
  }

  getPeer(): IAddress {
    return tcpAddress(this.req.socket.remoteAddress, this.req.socket.remotePort);
  }

  getHost(): IAddress {
    return tcpAddress(this.req.socket.localAddress, this.req.socket.localPort);
  }

  getWriteBufferSize(): number {
    return this.res.writableLength;
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#limits = writeBufferLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#limits;
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) throw new Error(`cannot register producer ${producer} because ${this.#producer} is still registered`);
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#paused = false;
    if (streaming) {
      if (this.res.writableNeedDrain) this.#full();
    } else this.#pull();
  }

  unregisterProducer(): void {
    this.#producer = null;
    this.#paused = false;
  }

  /** The channel cannot take more of the request: stop reading it from Node. */
  pauseProducing(): void {
    this.req.pause();
  }

  resumeProducing(): void {
    this.req.resume();
  }

  stopProducing(): void {
    this.abortConnection();
  }

  #full(): void {
    const p = this.#producer;
    if (p === null || !this.#streaming || this.#paused) return;
    this.#paused = true;
    (p as IPushProducer).pauseProducing();
  }

  #drained(): void {
    const p = this.#producer;
    if (p === null || this.#lost) return;
    if (!this.#streaming) this.#pull();
    else if (this.#paused) {
      this.#paused = false;
      (p as IPushProducer).resumeProducing();
    }
  }

  #pull(): void {
    setImmediate(() => {
      const p = this.#producer;
      if (p === null || this.#streaming || this.#lost || this.res.writableNeedDrain) return;
      p.resumeProducing();
      this.#pull();
    });
  }

  #deferLost(reason: Error): void {
    setImmediate(() => this.#connectionLost(reason));
  }

  #connectionLost(reason: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.disconnecting = true;
    const producer = this.#producer;
    this.#producer = null;
    try {
      producer?.stopProducing();
    } catch (e) {
      logError('stopProducing failed', e);
    }
    try {
      this.#protocol?.connectionLost(new Failure(reason));
    } catch (e) {
      logError('connectionLost failed', e);
    }
  }
}
