/**
 * `ContentDecoderAgent`: asks for compressed responses and decodes gzip, deflate and br bodies as they
 * stream (node:zlib), with a cap on the decoded size against decompression bombs.
 * @module
 */
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Deferred, Failure } from '../../defer/index.js';
import type { IAddress } from '../../internet/interfaces.js';
import { Headers } from '../headers.js';
import { BodyTooLarge, PotentialDataLoss, ResponseDone, ResponseFailed } from './errors.js';
import type { BodyTransport, HeadersInit, IAgent, IBodyProducer } from './interfaces.js';
import { hasHeader, rawHeaders, withoutHeaders } from './request-headers.js';
import { Response, type BodySource } from './response.js';
import { CLIENT_LIMITS } from './limits.js';

/** A content coding this agent can undo. */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

/** Options of {@link ContentDecoderAgent}. */
export interface ContentDecoderOptions {
  /** Codings to ask for and decode, in order of preference (default gzip, deflate, br). */
  codings?: readonly ContentCoding[];
  /** Largest decoded body; past it the body fails with `ResponseFailed([BodyTooLarge])` (default 64 MiB). */
  maxDecodedSize?: number;
}

const DROPPED = new Set(['content-encoding', 'content-length']);

/**
 * Sends `Accept-Encoding` (unless the caller did) and hands back responses whose body is decoded, with
 * `Content-Encoding` and `Content-Length` removed. A coding it does not know leaves the response as is.
 *
 * @example
 * const agent = new ContentDecoderAgent(new Agent(reactor), { maxDecodedSize: 10 * 1024 * 1024 });
 * const text = Buffer.from(await readBody(await agent.request('GET', url))).toString();
 */
export class ContentDecoderAgent implements IAgent {
  readonly codings: readonly ContentCoding[];
  readonly maxDecodedSize: number;

  constructor(readonly agent: IAgent, options: ContentDecoderOptions = {}) {
    this.codings = options.codings ?? ['gzip', 'deflate', 'br'];
    this.maxDecodedSize = options.maxDecodedSize ?? CLIENT_LIMITS.maxDecodedSize;
  }

  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response> {
    let raw: string[];
    try {
      raw = rawHeaders(headers);
    } catch (e) {
      return Deferred.fail(e);
    }
    if (!hasHeader(raw, 'accept-encoding')) raw.push('accept-encoding', this.codings.join(', '));
    return this.agent.request(method, uri, new Headers(raw), bodyProducer).addCallback((response) => this.#decode(response));
  }

  #decode(response: Response): Response {
    const header = response.headers.get('content-encoding');
    if (header === null) return response;
    const codings = header.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
    if (codings.length === 0 || !codings.every((c) => (this.codings as readonly string[]).includes(c))) return response;
    const decoded = new DecodedBody(response, codings as ContentCoding[], this.maxDecodedSize);
    const out = new Response(response.version, response.code, response.phrase, new Headers(withoutHeaders(response.headers.raw, DROPPED)), response.request, null, decoded);
    out.previousResponse = response.previousResponse;
    decoded.start(out);
    return out;
  }
}

/** Runs the raw body through the decoders into the decoded response. */
class DecodedBody implements BodySource {
  #raw: BodyTransport | null = null;
  #first: Transform | null = null;
  #last: Transform | null = null;
  #size = 0;
  #failed = false;
  #end: Failure | null = null;
  #out: Response | null = null;

  constructor(readonly response: Response, readonly codings: ContentCoding[], readonly max: number) {}

  start(out: Response): void {
    this.#out = out;
    this.response.deliverBody({
      makeConnection: (t) => (this.#raw = t),
      dataReceived: (data) => this.#write(data),
      connectionLost: (reason) => this.#rawEnded(reason),
    });
  }

  #write(data: Uint8Array): void {
    if (this.#failed) return;
    if (this.#first === null) this.#build(data);
    if (!this.#first!.write(data)) {
      this.#raw?.pauseProducing();
      this.#first!.once('drain', () => this.#raw?.resumeProducing());
    }
  }

  /** Chains a decoder per coding, last applied first; `deflate` is zlib-wrapped or raw, told by its first byte. */
  #build(firstChunk: Uint8Array): void {
    const streams = [...this.codings].reverse().map((coding, i): Transform => {
      if (coding === 'gzip') return zlib.createGunzip();
      if (coding === 'br') return zlib.createBrotliDecompress();
      const zlibWrapped = i > 0 || firstChunk.byteLength === 0 || (firstChunk[0] & 0x0f) === 8;
      return zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
    });
    for (let i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
    for (const s of streams) s.on('error', (e: Error) => this.#fail(new Failure(e)));
    this.#first = streams[0];
    this.#last = streams[streams.length - 1];
    this.#last.on('data', (chunk: Buffer) => {
      if (this.#failed) return;
      this.#size += chunk.byteLength;
      if (this.#size > this.max) return this.#fail(new Failure(new BodyTooLarge(this.max, "raise ContentDecoderAgent's maxDecodedSize")));
      this.#out!._bodyDataReceived(chunk);
    });
    this.#last.on('end', () => {
      if (!this.#failed) this.#out!._bodyDataFinished(this.#end ?? new Failure(new ResponseDone()));
    });
  }

  #rawEnded(reason: Failure): void {
    if (this.#failed) return;
    if (!reason.check(ResponseDone, PotentialDataLoss)) return this.#fail(reason.check(ResponseFailed) ? reason : new Failure(new ResponseFailed([reason])));
    this.#end = reason;
    if (this.#first === null) this.#out!._bodyDataFinished(reason);
    else this.#first.end();
  }

  #fail(reason: Failure): void {
    if (this.#failed) return;
    this.#failed = true;
    const wrapped = reason.check(ResponseFailed) ? reason : new Failure(new ResponseFailed([reason]));
    this.#raw?.stopProducing();
    this.#first?.destroy();
    this.#last?.destroy();
    this.#out!._bodyDataFinished(wrapped);
  }

  pauseBody(): void {
    this.#raw?.pauseProducing();
    this.#last?.pause();
  }

  resumeBody(): void {
    this.#raw?.resumeProducing();
    this.#last?.resume();
  }

  stopBody(): void {
    this.#fail(new Failure(new Error('the body was abandoned')));
  }

  getPeer(): IAddress {
    return this.response.source.getPeer();
  }

  getHost(): IAddress {
    return this.response.source.getHost();
  }
}
