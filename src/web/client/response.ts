/**
 * `Response`: the head of an HTTP response, and its body delivered to a protocol (Twisted's `IResponse`).
 * Body bytes that arrive before `deliverBody` wait here, and past a small limit the connection stops
 * reading until someone takes them, so an unread body costs bounded memory.
 * @module
 */
import { Failure } from '../../defer/index.js';
import type { IAddress } from '../../internet/interfaces.js';
import type { Headers } from '../headers.js';
import type { BodyTransport, IBodyProtocol } from './interfaces.js';
import { CLIENT_LIMITS } from './limits.js';

/** Where a response body comes from: what its protocol's transport controls. */
export interface BodySource {
  pauseBody(): void;
  resumeBody(): void;
  /** Abandons the body: the connection is dropped and the protocol told `ResponseFailed`. */
  stopBody(): void;
  getPeer(): IAddress;
  getHost(): IAddress;
}

/** What was asked, as a response remembers it (redirects and cookies read it). */
export interface RequestInfo {
  readonly method: string;
  readonly uri: string;
  readonly headers: Headers;
}


/**
 * An HTTP response. `code`, `phrase`, `headers` are known; the body streams to the protocol given to
 * {@link Response.deliverBody} (once), which gets `ResponseDone`, `PotentialDataLoss` or `ResponseFailed`.
 *
 * @example
 * const response = await agent.request('GET', 'http://127.0.0.1:8080/');
 * console.log(response.code, response.headers.get('content-type'));
 * const body = await readBody(response);
 */
export class Response {
  /** The response to the request that redirected here, if any (set by `RedirectAgent`). */
  previousResponse: Response | null = null;
  #protocol: IBodyProtocol | null = null;
  #buffer: Uint8Array[] | null = null;
  #buffered = 0;
  #pausedForBuffer = false;
  #end: Failure | null = null;
  #delivered = false;

  /**
   * @param length the body's size from `Content-Length`, or null when unknown (chunked, or until close)
   * @param source controls the connection the body comes from
   */
  constructor(
    readonly version: string,
    readonly code: number,
    readonly phrase: string,
    readonly headers: Headers,
    readonly request: RequestInfo,
    readonly length: number | null,
    readonly source: BodySource,
  ) {}

  /** Streams the body to `protocol` (bytes that already arrived first). Call it once. */
  deliverBody(protocol: IBodyProtocol): void {
    if (this.#delivered) throw new Error('deliverBody: the body was already delivered');
    this.#delivered = true;
    this.#protocol = protocol;
    protocol.makeConnection?.(this.#transport());
    const buffer = this.#buffer;
    this.#buffer = null;
    if (buffer !== null) for (const chunk of buffer) protocol.dataReceived(chunk);
    if (this.#end !== null) {
      protocol.connectionLost(this.#end);
      return;
    }
    if (this.#pausedForBuffer) {
      this.#pausedForBuffer = false;
      this.source.resumeBody();
    }
  }

  /** @internal a piece of the body arrived. */
  _bodyDataReceived(data: Uint8Array): void {
    const protocol = this.#protocol;
    if (protocol !== null) {
      protocol.dataReceived(data);
      return;
    }
    (this.#buffer ??= []).push(data);
    this.#buffered += data.byteLength;
    if (!this.#pausedForBuffer && this.#buffered > CLIENT_LIMITS.unreadBodyBuffer) {
      this.#pausedForBuffer = true;
      this.source.pauseBody();
    }
  }

  /** @internal the body ended: `ResponseDone`, `PotentialDataLoss` or `ResponseFailed`. */
  _bodyDataFinished(reason: Failure): void {
    if (this.#end !== null) return;
    this.#end = reason;
    if (this.#protocol !== null) this.#protocol.connectionLost(reason);
  }

  /** True once the body has ended (well or not). */
  get finished(): boolean {
    return this.#end !== null;
  }

  #transport(): BodyTransport {
    const source = this.source;
    let stopped = false;
    const stop = (): void => {
      if (stopped || this.#end !== null) return;
      stopped = true;
      source.stopBody();
    };
    return {
      pauseProducing: () => source.pauseBody(),
      resumeProducing: () => source.resumeBody(),
      stopProducing: stop,
      loseConnection: stop,
      write: () => {},
      writeSequence: () => {},
      getPeer: () => source.getPeer(),
      getHost: () => source.getHost(),
      get disconnecting() {
        return stopped;
      },
    };
  }
}
