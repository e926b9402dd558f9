/**
 * `PipeSocket`: the in-memory connection between a Torsion `Request` and the private `http.Server` of a
 * `NodeHandlerResource`. Node reads the request from it (head, then the body in chunked coding as it streams
 * in) and writes the response to it; the response is parsed and written to the Torsion request. A write is
 * acknowledged only while the Torsion side takes more, so Node's `res.write` returns false, and the Torsion
 * body is paused while Node has not read what it was given.
 * @module
 */
import { Duplex } from 'node:stream';
import { Failure } from '../../defer/index.js';
import type { IPushProducer } from '../../internet/interfaces.js';
import type { Request } from '../request.js';
import { ResponseParser } from '../response-parser.js';
import { HOP_BY_HOP } from './limits.js';
import type { NodeHandlerLimits } from './node-handler-resource.js';

/** Response header fields Torsion writes itself. */
const OWN_HEADERS = new Set([...HOP_BY_HOP, 'date']);
const LAST_CHUNK = Buffer.from('0\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One request's connection to the handler's server; Node treats it as the socket. */
export class PipeSocket extends Duplex implements IPushProducer {
  readonly #request: Request;
  readonly #limits: NodeHandlerLimits;
  readonly #parser: ResponseParser;
  #bodyPaused = false;
  #outPaused = false;
  #pendingWrite: (() => void) | null = null;
  #received = 0;
  #over = false;

  // What Node and the frameworks ask a socket for (`req.ip`, `req.protocol`).
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: true | undefined;

  constructor(request: Request, limits: NodeHandlerLimits) {
    super({ allowHalfOpen: true });
    this.#request = request;
    this.#limits = limits;
    const peer = request.getClientAddress() as { host?: string; port?: number };
    const host = request.getHost() as { host?: string; port?: number };
    this.remoteAddress = peer.host;
    this.remotePort = peer.port;
    this.localAddress = host.host;
    this.localPort = host.port;
    this.encrypted = request.isSecure() ? true : undefined;
    this.#parser = new ResponseParser(
      {
        head: (code, message, headers) => {
          request.setResponseCode(code, message);
          for (let i = 0; i < headers.length; i += 2) if (!OWN_HEADERS.has(headers[i]!)) request.addHeader(headers[i]!, headers[i + 1]!);
        },
        data: (chunk) => request.write(chunk),
        done: () => {
          request.unregisterProducer();
          if (!request.finished) request.finish();
        },
      },
      request.method === 'HEAD',
      { maxHeadSize: limits.maxResponseHeadSize, maxHeaders: limits.maxResponseHeaders },
    );
  }

  /** Sends the request head, then the body as it arrives; a client going away destroys this socket. */
  start(): void {
    const request = this.#request;
    request.registerProducer(this, true);
    request.notifyFinish().addErrback(() => this.destroy());
    const hasBody = request.getHeader('transfer-encoding') !== null || Number(request.getHeader('content-length') ?? 0) > 0;
    this.push(Buffer.from(this.#head(hasBody), 'latin1'));
    if (!hasBody) return;
    request.setBodyReceiver({
      dataReceived: (chunk) => {
        if (this.#over || this.destroyed) return;
        this.#received += chunk.length;
        if (this.#received > this.#limits.maxRequestBodySize) {
          this.#over = true;
          this.#fail(new Error('request body over maxRequestBodySize'), 413);
          return;
        }
        this.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'));
        this.push(chunk);
        if (!this.push(CRLF) && !this.#bodyPaused) {
          this.#bodyPaused = true;
          request.pauseBody();
        }
      },
      bodyDone: (reason) => {
        if (reason) this.destroy();
        else if (!this.#over && !this.destroyed) this.push(LAST_CHUNK);
      },
    });
  }

  #head(hasBody: boolean): string {
    const request = this.#request;
    const q = request.uri.indexOf('?');
    const path = `/${request.postpath.map(encodeURIComponent).join('/')}${q >= 0 ? request.uri.slice(q) : ''}`;
    let head = `${request.method} ${path} HTTP/1.1\r\n`;
    for (const [name, value] of request.headers) if (!HOP_BY_HOP.has(name.toLowerCase()) && name.toLowerCase() !== 'content-length') head += `${name}: ${value}\r\n`;
    head += 'connection: close\r\n';
    if (hasBody) head += 'transfer-encoding: chunked\r\n';
    return `${head}\r\n`;
  }

  // ---------------------------------------------------------------- Node reads the request

  override _read(): void {
    if (!this.#bodyPaused) return;
    this.#bodyPaused = false;
    this.#request.resumeBody();
  }

  // ---------------------------------------------------------------- Node writes the response

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#parser.done) {
      callback();
      return;
    }
    try {
      this.#parser.feed(chunk);
    } catch (e) {
      this.#fail(e, 500);
      callback();
      return;
    }
    if (this.#outPaused) this.#pendingWrite = () => callback();
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#parser.done) {
      try {
        this.#parser.end();
      } catch (e) {
        this.#fail(e, 500);
      }
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#parser.done && !this.#request.finished) this.#fail(error ?? new Error('the Node handler closed its connection mid-response'), 500);
    callback(error);
  }

  /** Node's http server tunes its sockets; an in-memory pipe has nothing to tune. */
  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  // ---------------------------------------------------------------- IPushProducer (the Torsion response)

  pauseProducing(): void {
    this.#outPaused = true;
  }

  resumeProducing(): void {
    this.#outPaused = false;
    const pending = this.#pendingWrite;
    this.#pendingWrite = null;
    pending?.();
  }

  stopProducing(): void {
    this.destroy();
  }

  /** Ends the exchange: a status page if nothing was sent, else a cut connection (`processingFailed`). */
  #fail(error: unknown, code: number): void {
    const request = this.#request;
    if (request.finished) return;
    request.unregisterProducer();
    if (code === 413 && !request.startedWriting) {
      request.sendError(413, 'The request body is larger than this resource accepts.');
      this.destroy();
    } else request.processingFailed(error instanceof Failure ? error : new Failure(error));
  }
}
