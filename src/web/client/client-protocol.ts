/**
 * `HTTP11ClientProtocol`: one HTTP/1.1 connection, one request at a time (Twisted's `_newclient`). It
 * writes the request (body by `Content-Length` or chunked, with backpressure), parses the response with
 * `ResponseParser`, streams the body to the `Response`, and tells its pool when the connection is free
 * again. Call order: `QUIESCENT -> (TRANSMITTING ->) WAITING -> BODY -> QUIESCENT | CLOSED`.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { ConnectionAborted } from '../../internet/error.js';
import type { IAddress, IConsumer, IDelayedCall, IPullProducer, IPushProducer, IReactorTime, IStreamTransport, ITCPTransport } from '../../internet/interfaces.js';
import { Protocol } from '../../internet/protocol.js';
import { Headers } from '../headers.js';
import { ResponseParser } from '../response-parser.js';
import type { ResponseLimits } from './limits.js';
import { PotentialDataLoss, RequestNotSent, RequestTransmissionFailed, ResponseBodyTimeout, ResponseDone, ResponseFailed, ResponseNeverReceived } from './errors.js';
import type { IBodyProducer } from './interfaces.js';
import { Response, type BodySource, type RequestInfo } from './response.js';

/** A request ready for the wire. */
export interface ClientRequest {
  readonly method: string;
  /** The request-target: `/path?query`, or the absolute URI when talking to a proxy. */
  readonly target: string;
  /** Flat `[lowerName, value, ...]`, `host` included. */
  readonly headers: readonly string[];
  readonly bodyProducer: IBodyProducer | null;
  /** Ask to keep the connection open afterwards. */
  readonly persistent: boolean;
  readonly info: RequestInfo;
  /** Times the body and the wait for `100 Continue`; without it neither is timed. */
  readonly clock?: IReactorTime;
  /** Seconds the response body may go without a byte (reset by each one) before the request fails. */
  readonly bodyIdleTimeout?: number;
  /** Seconds to wait for `100 Continue` (request with `Expect: 100-continue`) before sending the body anyway. */
  readonly continueTimeout?: number;
}

/**
 * The one `ResponseDone` every complete body ends with: it carries no per-response data, and building an
 * Error (with its stack) per response was the costliest line of a keep-alive GET.
 */
const RESPONSE_DONE = new Failure(new ResponseDone());

type State = 'QUIESCENT' | 'TRANSMITTING' | 'WAITING' | 'BODY' | 'CLOSED';

const CLOSE_TOKEN = /(?:^|,)\s*close\s*(?:,|$)/i;
const KEEP_ALIVE_TOKEN = /(?:^|,)\s*keep-alive\s*(?:,|$)/i;
const CONTINUE_TOKEN = /(?:^|,)\s*100-continue\s*(?:,|$)/i;

/** A body held back until the server says `100 Continue` (or the wait times out). */
interface ContinueWait {
  readonly producer: IBodyProducer;
  readonly chunked: boolean;
  readonly timer: IDelayedCall | null;
}

/** One client connection. */
export class HTTP11ClientProtocol extends Protocol<IStreamTransport & Partial<ITCPTransport>> implements BodySource {
  state: State = 'QUIESCENT';
  /** Called when a response is over and the connection can carry another request (the pool sets it). */
  onQuiescent: ((protocol: HTTP11ClientProtocol) => void) | null = null;
  /** Called once the connection is gone. */
  onLost: ((protocol: HTTP11ClientProtocol) => void) | null = null;
  #onConnected: ((protocol: HTTP11ClientProtocol) => void) | null;
  #request: ClientRequest | null = null;
  #deferred: Deferred<Response> | null = null;
  #parser: ResponseParser | null = null;
  #response: Response | null = null;
  #gotBytes = false;
  #transmitting: IBodyProducer | null = null;
  #paused = 0;
  #lostReason: Failure | null = null;
  #reusable = false;
  #bodyTimer: IDelayedCall | null = null;
  #continue: ContinueWait | null = null;

  constructor(onConnected: ((protocol: HTTP11ClientProtocol) => void) | null = null, readonly limits: ResponseLimits = {}) {
    super();
    this.#onConnected = onConnected;
  }

  override connectionMade(): void {
    const cb = this.#onConnected;
    this.#onConnected = null;
    cb?.(this);
  }

  /** Sends `request`; fires with the response once its head has arrived. Cancelling aborts the connection. */
  request(request: ClientRequest): Deferred<Response> {
    if (this.state !== 'QUIESCENT') return Deferred.fail(new RequestNotSent(`the connection is ${this.state === 'CLOSED' ? 'closed' : 'busy'}`));
    // Cancelling detaches first, so the abort below cannot also fail it (as a retryable lost connection).
    const d = new Deferred<Response>(() => {
      this.#deferred = null;
      this.abort();
    });
    this.#request = request;
    this.#deferred = d;
    this.#gotBytes = false;
    this.#parser = null;
    const producer = request.bodyProducer;
    let head = `${request.method} ${request.target} HTTP/1.1\r\n`;
    const h = request.headers;
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i];
      if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') head += `${name}: ${h[i + 1]}\r\n`;
    }
    if (!request.persistent) head += 'connection: close\r\n';
    if (producer === null) {
      if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') head += 'content-length: 0\r\n';
      this.state = 'WAITING';
      this.transport.write(head + '\r\n');
      return d;
    }
    const chunked = producer.length === null;
    head += chunked ? 'transfer-encoding: chunked\r\n\r\n' : `content-length: ${producer.length}\r\n\r\n`;
    this.transport.write(head);
    if (producer.length === 0) {
      this.state = 'WAITING';
      return d;
    }
    this.state = 'TRANSMITTING';
    const clock = request.clock;
    if (clock !== undefined && expectsContinue(h)) {
      // As curl: the body waits for `100 Continue`, but not forever (a server may not know the expectation).
      const timer = clock.callLater(request.continueTimeout ?? 1, () => this.#sendHeldBody());
      this.#continue = { producer, chunked, timer };
      return d;
    }
    this.#writeBody(producer, chunked);
    return d;
  }

  #sendHeldBody(): void {
    const wait = this.#continue;
    if (wait === null) return;
    this.#continue = null;
    if (wait.timer?.active()) wait.timer.cancel();
    this.#writeBody(wait.producer, wait.chunked);
  }

  /** A final response came before `100 Continue`: the body is never sent, so the connection cannot be reused. */
  #abandonHeldBody(): void {
    const wait = this.#continue;
    if (wait === null) return;
    this.#continue = null;
    if (wait.timer?.active()) wait.timer.cancel();
    this.#reusable = false;
    wait.producer.stopProducing();
  }

  #writeBody(producer: IBodyProducer, chunked: boolean): void {
    this.#transmitting = producer;
    const transport = this.transport;
    const consumer = new BodyConsumer(transport, chunked, producer.length);
    transport.registerProducer(producer, true);
    producer.startProducing(consumer).addCallbacks(
      () => {
        if (this.#transmitting !== producer) return;
        this.#transmitting = null;
        transport.unregisterProducer();
        if (consumer.error !== null) return this.#transmissionFailed(new Failure(consumer.error));
        if (!chunked && consumer.written !== producer.length) return this.#transmissionFailed(new Failure(new Error(`the body producer wrote ${consumer.written} bytes, not the ${producer.length} it announced`)));
        if (chunked) transport.write('0\r\n\r\n');
        if (this.state === 'TRANSMITTING') this.state = 'WAITING';
        else if (this.state === 'QUIESCENT' && this.#reusable) this.onQuiescent?.(this);
        return undefined;
      },
      (f: Failure) => {
        if (this.#transmitting !== producer) return undefined;
        this.#transmitting = null;
        transport.unregisterProducer();
        return this.#transmissionFailed(f);
      },
    );
  }

  #transmissionFailed(reason: Failure): void {
    const d = this.#deferred;
    if (d !== null && !d.called) d.errback(new RequestTransmissionFailed([reason]));
    this.abort();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.state === 'CLOSED') return;
    if (this.#request === null || this.state === 'QUIESCENT') {
      // Bytes nobody asked for: the connection can no longer be trusted to frame the next response.
      this.abort();
      return;
    }
    this.#gotBytes = true;
    if (this.#bodyTimer !== null) this.#bodyTimer.reset(this.#request.bodyIdleTimeout!);
    const parser = (this.#parser ??= this.#makeParser(this.#request));
    let leftover: number;
    try {
      leftover = parser.feed(data);
    } catch (e) {
      this.#fail(new Failure(e));
      this.abort();
      return;
    }
    // A response complete in this read frees the connection before the caller sees it, so a request made
    // from the caller's callback (a redirect, the next call of a loop) can reuse it.
    const d = this.#deferred;
    const response = this.#response;
    if (parser.done && this.#request !== null) this.#responseDone(leftover);
    if (d !== null && response !== null && !d.called) d.callback(response);
  }

  #makeParser(request: ClientRequest): ResponseParser {
    return new ResponseParser(
      {
        head: (code, phrase, raw, version) => {
          const headers = new Headers(raw);
          this.#response = new Response(version, code, phrase, headers, request.info, bodyLength(request.method, code, raw), this);
          this.#reusable = request.persistent && isPersistent(version, headers) && code !== 101;
          this.#abandonHeldBody();
          this.state = 'BODY';
          this.#armBodyTimer();
        },
        data: (chunk) => this.#response?._bodyDataReceived(chunk),
        done: () => {},
        informational: (code) => {
          if (code === 100) this.#sendHeldBody();
        },
      },
      request.method === 'HEAD',
      this.limits,
    );
  }

  /** Starts the body's idle timer (not while the body is paused: a slow reader is not a stalled server). */
  #armBodyTimer(): void {
    const request = this.#request;
    if (request?.clock === undefined || request.bodyIdleTimeout === undefined || this.#paused > 0 || this.#bodyTimer !== null) return;
    const seconds = request.bodyIdleTimeout;
    this.#bodyTimer = request.clock.callLater(seconds, () => {
      this.#bodyTimer = null;
      this.#fail(new Failure(new ResponseBodyTimeout(seconds)));
      this.abort();
    });
  }

  #disarmBodyTimer(): void {
    const timer = this.#bodyTimer;
    this.#bodyTimer = null;
    if (timer?.active()) timer.cancel();
  }

  #fireResponse(): void {
    const d = this.#deferred;
    if (d !== null && this.#response !== null && !d.called) d.callback(this.#response);
  }

  #responseDone(leftover: number): void {
    const response = this.#response!;
    const parser = this.#parser!;
    const reusable = this.#reusable && leftover === 0 && parser.framing !== 'close';
    this.#disarmBodyTimer();
    this.#request = null;
    this.#response = null;
    this.#parser = null;
    this.#deferred = null;
    if (reusable) {
      this.state = 'QUIESCENT';
      if (this.#paused > 0) {
        this.#paused = 0;
        this.transport.resumeProducing();
      }
      // Back to the pool first, so a caller that sends its next request from the body's end reuses it.
      if (this.#transmitting === null) this.onQuiescent?.(this);
    } else {
      this.state = 'CLOSED';
      this.#stopTransmitting(true);
      this.transport.loseConnection();
    }
    response._bodyDataFinished(RESPONSE_DONE);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const state = this.state;
    this.state = 'CLOSED';
    this.#disarmBodyTimer();
    this.#abandonHeldBody();
    this.#stopTransmitting(false);
    const reasonForUser = this.#lostReason ?? reason;
    if (state === 'BODY' && this.#parser !== null && this.#response !== null) {
      const response = this.#response;
      try {
        this.#parser.end();
        this.#fireResponse();
        response._bodyDataFinished(new Failure(new PotentialDataLoss()));
      } catch (e) {
        this.#fireResponse();
        response._bodyDataFinished(new Failure(new ResponseFailed([reasonForUser, new Failure(e)])));
      }
    } else if (state === 'TRANSMITTING' || state === 'WAITING' || state === 'BODY') {
      const d = this.#deferred;
      if (d !== null && !d.called) {
        if (state === 'TRANSMITTING') d.errback(new RequestTransmissionFailed([reasonForUser]));
        else d.errback(this.#gotBytes ? new ResponseFailed([reasonForUser]) : new ResponseNeverReceived([reasonForUser]));
      }
    }
    this.#request = null;
    this.#response = null;
    this.onLost?.(this);
  }

  #fail(reason: Failure): void {
    this.#lostReason = reason;
    this.#disarmBodyTimer();
    const d = this.#deferred;
    const response = this.#response;
    if (response !== null && d !== null && !d.called) d.callback(response);
    if (response !== null) {
      response._bodyDataFinished(new Failure(new ResponseFailed([reason])));
      this.#response = null;
    } else if (d !== null && !d.called) d.errback(new ResponseFailed([reason]));
  }

  /** `unregister` false once the connection is gone (the transport has dropped its producer itself). */
  #stopTransmitting(unregister: boolean): void {
    const producer = this.#transmitting;
    if (producer === null) return;
    this.#transmitting = null;
    if (unregister) this.transport.unregisterProducer();
    producer.stopProducing();
  }

  /** Drops the connection at once; whatever is in progress fails. */
  abort(): void {
    if (!this.connected) return;
    this.#lostReason ??= new Failure(new ConnectionAborted());
    const t = this.transport;
    if (typeof t.abortConnection === 'function') t.abortConnection();
    else t.loseConnection();
  }

  pauseBody(): void {
    if (this.#paused++ === 0) {
      this.#disarmBodyTimer();
      this.transport.pauseProducing();
    }
  }

  resumeBody(): void {
    if (this.#paused === 0) return;
    if (--this.#paused === 0) {
      this.transport.resumeProducing();
      if (this.state === 'BODY' && this.#response !== null) this.#armBodyTimer();
    }
  }

  stopBody(): void {
    this.abort();
  }

  getPeer(): IAddress {
    return this.transport.getPeer();
  }

  getHost(): IAddress {
    return this.transport.getHost();
  }
}

/** The body's length as the head states it: 0 when there can be none, null when unknown. */
function bodyLength(method: string, code: number, raw: string[]): number | null {
  if (method === 'HEAD' || code === 204 || code === 304 || (code >= 100 && code < 200)) return 0;
  let length: number | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] === 'transfer-encoding') return null;
    if (raw[i] === 'content-length') length = Number(raw[i + 1]);
  }
  return length;
}

function expectsContinue(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'expect' && CONTINUE_TOKEN.test(headers[i + 1])) return true;
  return false;
}

function isPersistent(version: string, headers: Headers): boolean {
  const connection = headers.get('connection');
  if (version === 'HTTP/1.1') return connection === null || !CLOSE_TOKEN.test(connection);
  return connection !== null && KEEP_ALIVE_TOKEN.test(connection);
}

/** Frames what a body producer writes (chunked, or counted against its announced length). */
class BodyConsumer implements IConsumer {
  written = 0;
  error: Error | null = null;

  constructor(readonly transport: IStreamTransport, readonly chunked: boolean, readonly length: number | null) {}

  /** The connection already registered the body producer (as Twisted's): one that registers itself is not registered twice. */
  registerProducer(_producer: IPushProducer | IPullProducer, _streaming: boolean): void {}

  unregisterProducer(): void {}

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.byteLength === 0 || this.error !== null) return;
    this.written += bytes.byteLength;
    if (this.chunked) {
      this.transport.writeSequence([`${bytes.byteLength.toString(16)}\r\n`, bytes, '\r\n']);
    } else if (this.written > this.length!) {
      this.error = new Error(`the body producer wrote more than the ${this.length} bytes it announced`);
    } else {
      this.transport.write(bytes);
    }
  }
}
