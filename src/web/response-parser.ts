/**
 * An incremental HTTP/1.1 response parser, for the reverse proxy's upstream connections and for
 * `Site.request`. Interim 1xx responses are skipped; bodies are framed by Content-Length, chunked coding,
 * or the end of the connection.
 * @module
 */
import { ChunkedDecoder } from './chunked.js';
import { responseLimits, type ResponseLimits } from './client/limits.js';
import { HTTPParseError } from './http-parser.js';

/** What the parser reports. */
export interface ResponseHandler {
  /** The final (non-1xx) head; `version` is `'HTTP/1.1'` or `'HTTP/1.0'`. */
  head(code: number, message: string, headers: string[], version: string): void;
  data(chunk: Uint8Array): void;
  done(): void;
  /** An interim 1xx head (not 101), such as `100 Continue`; the parser then waits for the next head. */
  informational?(code: number, message: string, headers: string[]): void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const STATUS = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/;

/** How the body of the response being parsed is delimited. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

/** Parses one response. */
export class ResponseParser {
  /** How the body is delimited, known once the head is parsed: `'close'` means the end of the connection. */
  framing: BodyFraming = 'none';
  #buf: Buffer | null = null;
  #state: 'head' | 'length' | 'chunked' | 'close' | 'done' = 'head';
  #remaining = 0;
  #decoder: ChunkedDecoder | null = null;

  /** Largest response head, in bytes (guards against a peer that never ends its headers). */
  readonly maxHead: number;
  /** Most header fields in one head. */
  readonly maxHeaders: number;

  /**
   * @param noBody true for the response to a HEAD request.
   * @param limits the head limits; the HTTP client's defaults (`CLIENT_LIMITS`) for those not given.
   */
  constructor(readonly handler: ResponseHandler, readonly noBody = false, limits: ResponseLimits = {}) {
    const { maxHeadSize, maxHeaders } = responseLimits(limits);
    this.maxHead = maxHeadSize;
    this.maxHeaders = maxHeaders;
  }

  /** True once the whole response has been parsed. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /**
   * Feeds bytes from the connection. Returns how many bytes were left over past the end of the response
   * (0 unless `done`): a client must not reuse a connection that sent more than it was asked for.
   * @throws HTTPParseError
   */
  feed(data: Uint8Array): number {
    let buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.#buf) {
      buf = Buffer.concat([this.#buf, buf]);
      this.#buf = null;
    }
    let pos = 0;
    while (pos < buf.length && this.#state !== 'done') {
      if (this.#state === 'head') {
        const end = buf.indexOf(CRLFCRLF, pos);
        if (end === -1) {
          if (buf.length - pos > this.maxHead) throw new HTTPParseError(502, 'response head too large');
          this.#buf = buf.subarray(pos);
          return 0;
        }
        if (end - pos > this.maxHead) throw new HTTPParseError(502, 'response head too large');
        const head = buf.toString('latin1', pos, end);
        pos = end + 4;
        this.#head(head);
      } else if (this.#state === 'length') {
        const n = Math.min(this.#remaining, buf.length - pos);
        this.handler.data(buf.subarray(pos, pos + n));
        pos += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#finish();
      } else if (this.#state === 'chunked') {
        pos = this.#decoder!.feed(buf, pos, (c) => this.handler.data(c));
        if (this.#decoder!.done) this.#finish();
      } else {
        this.handler.data(buf.subarray(pos));
        pos = buf.length;
      }
    }
    return buf.length - pos;
  }

  /** The connection ended: completes a close-delimited body, or throws if the response was cut short. */
  end(): void {
    if (this.#state === 'close') this.#finish();
    else if (this.#state !== 'done') throw new HTTPParseError(502, 'connection closed before the response was complete');
  }

  #head(head: string): void {
    const lines = head.split('\r\n');
    const m = STATUS.exec(lines[0]);
    if (!m) throw new HTTPParseError(502, 'malformed status line');
    const code = Number(m[2]);
    if (lines.length - 1 > this.maxHeaders) throw new HTTPParseError(502, 'too many headers in response');
    const headers: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) throw new HTTPParseError(502, 'malformed header in response');
      headers.push(lines[i].slice(0, colon).trim().toLowerCase(), lines[i].slice(colon + 1).trim());
    }
    if (code >= 100 && code < 200 && code !== 101) {
      this.handler.informational?.(code, m[3] ?? '', headers);
      return;
    }
    this.handler.head(code, m[3] ?? '', headers, m[1]);
    let te: string | null = null;
    let cl: string | null = null;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === 'transfer-encoding') te = headers[i + 1];
      else if (headers[i] === 'content-length') cl = headers[i + 1];
    }
    if (this.noBody || code === 204 || code === 304 || code === 101) this.#finish();
    else if (te !== null && /chunked\s*$/i.test(te)) {
      this.#state = 'chunked';
      this.framing = 'chunked';
      this.#decoder = new ChunkedDecoder();
    } else if (cl !== null) {
      if (!/^\d+$/.test(cl)) throw new HTTPParseError(502, 'invalid Content-Length in response');
      this.#remaining = Number(cl);
      this.#state = 'length';
      this.framing = 'length';
      if (this.#remaining === 0) this.#finish();
    } else {
      this.#state = 'close';
      this.framing = 'close';
    }
  }

  #finish(): void {
    this.#state = 'done';
    this.handler.done();
  }
}
