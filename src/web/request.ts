/**
 * `Request`: one HTTP request and its response (Twisted's `web.server.Request`). The channel creates it when
 * a head is parsed; the site walks the resource tree with it; the resource writes the response through it.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { ConnectionLost } from '../internet/error.js';
import type { IAddress, IProtocol, IPullProducer, IPushProducer, ITransport } from '../internet/interfaces.js';
import type { HTTPChannel } from './channel.js';
import { formatCookie, parseCookies, type CookieOptions } from './cookies.js';
import { checkHeader, Headers } from './headers.js';
import type { Body, IBodyReceiver, IResource, IResponseEncoder, RenderResult } from './interfaces.js';
import { errorHTML, NOT_DONE_YET } from './resource.js';
import type { Session } from './session.js';
import type { Site } from './site.js';
import { noBodyStatus, RESPONSES, statusLine } from './status.js';
import { byteLength, ConnectionLine, responseHead, withBody } from './response-head.js';
import { webLog } from './log.js';
import { parseQuery, pathSegments, targetPath } from './url.js';
import { isThenable } from '../defer/thenable.js';

const CONTENT_LENGTH = 'content-length';

/**
 * A request and its response.
 *
 * @example
 * renderPOST(request: Request) {
 *   const name = request.args.get('name')?.[0] ?? 'world';
 *   request.setHeader('Content-Type', 'text/plain; charset=utf-8');
 *   return `hello ${name}`;
 * }
 */
export class Request {
  /** `GET`, `POST`, ... as sent. */
  readonly method: string;
  /** The request target as sent, query included. */
  readonly uri: string;
  /** The path part of `uri` (still percent-encoded). */
  readonly path: string;
  /** `'HTTP/1.1'` or `'HTTP/1.0'`. */
  readonly clientproto: string;
  /** The buffered body (resources with `streamBody` false), empty until it is complete. */
  content: Uint8Array = EMPTY;
  /** The response status code. */
  code = 200;
  /** True once the response head has been sent. */
  startedWriting = false;
  /** True once `finish()` has been called (or the response was abandoned). */
  finished = false;
  /** Body bytes sent (before transfer coding), for the access log. */
  sentLength = 0;
  /** Keep the connection open after this response. */
  persistent: boolean;
  /** When the head arrived, in the site clock's seconds. */
  readonly started: number;

  readonly #channel: HTTPChannel;
  readonly #rawHeaders: string[];
  /**
   * The walk's arrays, made when first read or needed. For the root path (`/`, segments `['']`) neither is made
   * unless read: `#rootWalked` says whether its one empty segment has moved from postpath to prepath.
   */
  #prepath: string[] | undefined = undefined;
  #postpath: string[] | undefined;
  #rootWalked = false;
  #outHeaders: string[] = NO_HEADERS;
  #hasLength = false;
  #chunked = false;
  #holding = false;
  #bodyDone = false;
  #resource: IResource | undefined = undefined;
  /** What most requests never need, made on first use: a plain GET stays a small object. */
  #x: RequestExtras | undefined = undefined;

  constructor(channel: HTTPChannel, method: string, uri: string, minor: number, rawHeaders: string[], connection: string | null, started: number) {
    this.#channel = channel;
    this.method = method;
    this.uri = uri;
    this.clientproto = minor === 1 ? 'HTTP/1.1' : 'HTTP/1.0';
    this.#rawHeaders = rawHeaders;
    this.started = started;
    this.path = targetPath(uri);
    this.#postpath = this.path === '/' ? undefined : pathSegments(this.path);
    this.persistent = minor === 1 ? connection === null || !/\bclose\b/i.test(connection) : connection !== null && /\bkeep-alive\b/i.test(connection);
  }

  /** Path segments already walked (decoded). */
  get prepath(): string[] {
    return (this.#prepath ??= this.#rootWalked ? [''] : []);
  }

  set prepath(segments: string[]) {
    this.#prepath = segments;
  }

  /** Path segments still to walk (decoded). */
  get postpath(): string[] {
    return (this.#postpath ??= this.#rootWalked ? [] : ['']);
  }

  set postpath(segments: string[]) {
    this.#postpath = segments;
  }

  /** The response reason phrase, when not the standard one. */
  get codeMessage(): string | undefined {
    return this.#x?.codeMessage;
  }

  set codeMessage(message: string | undefined) {
    if (message !== undefined || this.#x !== undefined) this.#more().codeMessage = message;
  }

  /** The site serving this request. */
  get site(): Site {
    return this.#channel.site;
  }

  /** The request headers (case-insensitive `get`). */
  get headers(): Headers {
    const x = this.#more();
    return (x.headers ??= new Headers(this.#rawHeaders));
  }

  /** One request header, case-insensitive (repeated fields joined), or null. */
  getHeader(name: string): string | null {
    return this.headers.get(name);
  }

  /** Query arguments: each name maps to all its values. */
  get args(): Map<string, string[]> {
    const x = this.#more();
    return (x.args ??= parseQuery(this.uri));
  }

  /** The connection's transport (for upgrades and introspection). */
  get transport(): ITransport {
    return this.#channel.transport;
  }

  /** The client's address. */
  getClientAddress(): IAddress {
    return this.#channel.transport.getPeer();
  }

  /** The local address the request came in on. */
  getHost(): IAddress {
    return this.#channel.transport.getHost();
  }

  /** True when the connection is TLS. */
  isSecure(): boolean {
    return this.#channel.secure;
  }

  /** The URL prefix walked so far, as an absolute path (`/a/b/`). */
  prePathURL(): string {
    return `/${this.prepath.map(encodeURIComponent).join('/')}`;
  }

  // ------------------------------------------------------------------ cookies and sessions

  /** A request cookie's value, or null. */
  getCookie(name: string): string | null {
    const x = this.#more();
    x.cookies ??= parseCookies(this.headers.get('cookie'));
    return x.cookies.get(name) ?? null;
  }

  /** Adds a `Set-Cookie` header. */
  addCookie(name: string, value: string, options: CookieOptions = {}): void {
    this.addHeader('Set-Cookie', formatCookie(name, value, options));
  }

  /** The session for this client, created (and its cookie set) on first use. */
  getSession(): Session {
    const x = this.#more();
    if (x.session && !x.session.expired) return x.session;
    const site = this.site;
    const uid = this.getCookie(site.sessionCookieName);
    let session = uid === null ? undefined : site.getSession(uid);
    if (!session) {
      session = site.makeSession();
      this.addCookie(site.sessionCookieName, session.uid, { path: '/', httpOnly: true, sameSite: 'Lax', secure: this.isSecure() });
    }
    session.touch();
    return (x.session = session);
  }

  // ------------------------------------------------------------------ response head

  /** Sets the status code (and optionally a non-standard reason phrase). */
  setResponseCode(code: number, message?: string): void {
    if (this.startedWriting) throw new Error('setResponseCode after the response head was sent');
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`invalid status code ${code}`);
    if (message !== undefined && /[\r\n]/.test(message)) throw new TypeError('invalid reason phrase');
    this.code = code;
    this.codeMessage = message;
  }

  /** Sets a response header, replacing any value it had. */
  setHeader(name: string, value: string | number): void {
    if (this.#outHeaders.length > 0) this.removeHeader(name);
    this.addHeader(name, value);
  }

  /** Adds a response header, keeping earlier values (`Set-Cookie`, `Link`). */
  addHeader(name: string, value: string | number): void {
    if (this.startedWriting) throw new Error(`setHeader(${name}) after the response head was sent`);
    const v = typeof value === 'number' ? String(value) : value;
    checkHeader(name, v);
    // Only `Connection` (10) and `Content-Length` (14) matter here: other names are not lower-cased per call.
    if (name.length === 10 || name.length === 14) {
      const lower = name.toLowerCase();
      if (lower === 'connection') {
        if (/\bclose\b/i.test(v)) this.persistent = false;
        return;
      }
      if (lower === CONTENT_LENGTH) this.#hasLength = true;
    }
    // The first header makes an array of just its two strings (not an empty one grown on the first push).
    if (this.#outHeaders.length === 0) this.#outHeaders = [name, v];
    else this.#outHeaders.push(name, v);
  }

  /** A response header's value, or null. */
  getResponseHeader(name: string): string | null {
    const lower = name.toLowerCase();
    const h = this.#outHeaders;
    for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() === lower) return h[i + 1];
    return null;
  }

  /** Removes a response header. */
  removeHeader(name: string): void {
    const lower = name.toLowerCase();
    const h = this.#outHeaders;
    for (let i = h.length - 2; i >= 0; i -= 2) if (h[i].toLowerCase() === lower) h.splice(i, 2);
    if (lower === CONTENT_LENGTH) this.#hasLength = false;
  }

  /** Redirects (302 by default) to `url`. */
  redirect(url: string, code = 302): void {
    this.setResponseCode(code);
    this.setHeader('Location', url);
  }

  /** Routes the body through `encoder` (built with the raw writer); see `EncodingResourceWrapper`. */
  setEncoder(build: (out: (data: Uint8Array) => void) => IResponseEncoder): void {
    if (this.startedWriting) throw new Error('setEncoder after the response head was sent');
    this.#more().encoder = build((data) => this.#writeBody(data));
  }

  /**
   * The content coding an encoder will apply to a full (200) response body, or null for none: a resource
   * that sends validators uses it to give each representation its own entity tag (see `codedETag`).
   */
  get responseCoding(): string | null {
    return this.#x?.encoder?.coding ?? null;
  }

  // ------------------------------------------------------------------ response body

  /** Writes part of the body (the head goes first, on the first write). */
  write(data: Body): void {
    const x = this.#x;
    if (x?.lost) return;
    if (this.finished) throw new Error('write() after finish()');
    if (x?.encoder) x.encoder.write(data);
    else this.#writeBody(data);
  }

  /** Ends the response. */
  finish(): void {
    const x = this.#x;
    if (x?.lost) {
      this.finished = true;
      return;
    }
    if (this.finished) throw new Error('finish() called twice');
    const encoder = x?.encoder;
    if (!encoder) {
      this.#finishRaw();
      return;
    }
    x!.encoder = undefined;
    // Output the encoder produces synchronously is held, so a small encoded body still gets a Content-Length.
    const prev = this.#holding;
    if (!this.startedWriting) this.#holding = true;
    let sync = true;
    let doneEarly = false;
    encoder.end(() => {
      if (sync) doneEarly = true;
      else this.#finishRaw();
    });
    sync = false;
    this.#holding = prev;
    if (doneEarly) this.#finishRaw();
    else if (!prev) this.#release();
  }

  /**
   * Streams the response from `producer` with backpressure: the connection pauses it when the client
   * reads slowly. Unregistered automatically by `finish()`.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#more().producer = true;
    this.#channel.registerProducer(producer, streaming);
  }

  /** Removes the producer registered with `registerProducer`. */
  unregisterProducer(): void {
    const x = this.#x;
    if (x === undefined || !x.producer) return;
    x.producer = false;
    this.#channel.unregisterProducer();
  }

  /**
   * A Deferred that fires when the response has been fully handed to the connection, or fails with
   * `ConnectionLost` when the client goes away first.
   */
  notifyFinish(): Deferred<void> {
    const d = new Deferred<void>();
    const x = this.#more();
    if (x.lost) d.errback(x.lost);
    else if (this.finished) d.callback(undefined);
    else (x.notify ??= []).push(d);
    return d;
  }

  /**
   * Hands the connection to another protocol (WebSocket and other `Upgrade`s): sends `101 Switching
   * Protocols` with `headers`, then `protocol` gets the transport and every byte after this request's head.
   */
  switchProtocols(protocol: IProtocol, headers: Record<string, string> = {}): void {
    if (this.startedWriting) throw new Error('switchProtocols after the response head was sent');
    let head = statusLine(101);
    for (const [k, v] of Object.entries(headers)) {
      checkHeader(k, v);
      head += `${k}: ${v}\r\n`;
    }
    this.code = 101;
    this.startedWriting = true;
    this.finished = true;
    this.persistent = false;
    this.#channel.upgrade(this, `${head}\r\n`, protocol);
  }

  // ------------------------------------------------------------------ request body

  /**
   * Receives the body as it streams (resources with `streamBody`). Pieces that arrived before are
   * replayed at once.
   */
  setBodyReceiver(receiver: IBodyReceiver): void {
    const x = this.#more();
    x.bodyReceiver = receiver;
    const pending = x.body;
    x.body = undefined;
    if (pending) for (const chunk of pending) receiver.dataReceived(chunk);
    if (this.#bodyDone) receiver.bodyDone(x.lost);
  }

  /** Stops reading the body from the network until `resumeBody()` (backpressure for streaming bodies). */
  pauseBody(): void {
    this.#channel.pauseBody();
  }

  /** Reads the body again after `pauseBody()`. */
  resumeBody(): void {
    this.#channel.resumeBody();
  }

  // ------------------------------------------------------------------ driven by the channel and site

  /** @internal the channel hands a piece of body. Returns false when the buffered body is over its limit. */
  bodyData(chunk: Uint8Array): boolean {
    const x = this.#more();
    if (x.bodyReceiver) {
      x.bodyReceiver.dataReceived(chunk);
      return true;
    }
    x.bodySize += chunk.byteLength;
    const res = this.#resource;
    if (res && !res.streamBody && x.bodySize > this.#limit(res)) return false;
    (x.body ??= []).push(chunk);
    return true;
  }

  /** @internal the body is complete. */
  bodyEnd(): void {
    this.#bodyDone = true;
    const receiver = this.#x?.bodyReceiver;
    if (receiver) {
      receiver.bodyDone();
      return;
    }
    const res = this.#resource;
    if (res && !res.streamBody) this.#render(res);
  }

  /**
   * @internal the tree walk's next step: moves the next segment from postpath to prepath and returns it, or
   * undefined when none is left.
   */
  nextSegment(): string | undefined {
    const post = this.#postpath;
    if (post === undefined) {
      // The root path, its arrays not made: only the flag moves (and an already read prepath gets the segment).
      if (this.#rootWalked) return undefined;
      this.#rootWalked = true;
      this.#prepath?.push('');
      return '';
    }
    if (post.length === 0) return undefined;
    // The last segment is popped: the same as a shift, without moving the rest.
    const segment = post.length === 1 ? post.pop()! : post.shift()!;
    // The first segment makes an array of one (not an empty one grown on the first push).
    const pre = this.#prepath;
    if (pre === undefined) this.#prepath = [segment];
    else pre.push(segment);
    return segment;
  }

  /** @internal the resource the tree walk found: render now (streaming) or once the body is in. */
  resourceFound(resource: IResource, declaredLength: number): void {
    this.#resource = resource;
    if (resource.ignoresBody) {
      if (!this.#bodyDone) this.persistent = false;
    } else if (!resource.streamBody) {
      const limit = this.#limit(resource);
      if (declaredLength > limit || (this.#x?.bodySize ?? 0) > limit) {
        this.#channel.rejectBody(this, 413);
        return;
      }
      if (!this.#bodyDone) {
        this.#channel.bodyWanted(this);
        return;
      }
    } else if (!this.#bodyDone) this.#channel.bodyWanted(this);
    this.#render(resource);
  }

  /** @internal the client went away. */
  connectionLost(reason: Failure): void {
    if (this.finished) return;
    const x = this.#more();
    const lost = (x.lost = reason.check(ConnectionLost) ? reason : new Failure(new ConnectionLost('the client went away before the response was finished', { cause: reason.value })));
    this.unregisterProducer();
    if (!this.#bodyDone && x.bodyReceiver) x.bodyReceiver.bodyDone(lost);
    this.#bodyDone = true;
    const waiting = x.notify;
    x.notify = undefined;
    if (waiting) for (const d of waiting) d.errback(lost);
  }

  /** @internal rendering (or walking the tree) failed: a 500 page if nothing was sent yet. */
  processingFailed(failure: Failure): void {
    webLog.failure('Error rendering {method} {uri}', failure, { method: this.method, uri: this.uri });
    const x = this.#x;
    if (this.finished || x?.lost) return;
    if (this.startedWriting) {
      this.persistent = false;
      this.#channel.abort();
      return;
    }
    this.#outHeaders = ['Content-Type', 'text/html; charset=utf-8'];
    this.#hasLength = false;
    if (x !== undefined) {
      x.held = undefined;
      x.encoder = undefined;
      x.codeMessage = undefined;
    }
    this.code = 500;
    const detail = this.site.debug ? failure.getTraceback() : 'An error occurred while processing the request; it has been logged.';
    this.#finishWith(errorHTML(500, 'Internal Server Error', detail));
  }

  /** @internal sends an error response the channel decided on (bad input, limits, timeouts). */
  sendError(code: number, detail: string): void {
    if (this.startedWriting || this.finished) return;
    this.#outHeaders = ['Content-Type', 'text/html; charset=utf-8'];
    this.#hasLength = false;
    if (this.#x !== undefined) this.#x.encoder = undefined;
    this.code = code;
    this.persistent = false;
    this.#finishWith(errorHTML(code, RESPONSES[code] ?? 'Error', detail));
  }

  #limit(resource: IResource): number {
    return resource.maxBodySize ?? this.site.maxBodySize;
  }

  /** The side object of rarely used state, made on first use. */
  #more(): RequestExtras {
    return (this.#x ??= new RequestExtras());
  }

  #render(resource: IResource): void {
    const x = this.#x;
    if (x !== undefined && !x.bodyReceiver && x.body) {
      const parts = x.body;
      x.body = undefined;
      this.content = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    }
    let result: RenderResult;
    this.#holding = true;
    try {
      result = resource.render(this);
    } catch (e) {
      this.#holding = false;
      this.processingFailed(new Failure(e));
      return;
    }
    this.#holding = false;
    if (result === NOT_DONE_YET) {
      this.#release();
      return;
    }
    if (result instanceof Deferred) {
      this.#release();
      (result as Deferred<Body | symbol | void>).addCallbacks(
        (value) => this.#rendered(value),
        (f: Failure) => this.processingFailed(f),
      );
      return;
    }
    if (isThenable(result)) {
      this.#release();
      (result as PromiseLike<Body | symbol | void>).then(
        (value) => this.#rendered(value),
        (e) => this.processingFailed(e instanceof Failure ? e : new Failure(e)),
      );
      return;
    }
    this.#rendered(result as Body | void);
  }

  #rendered(value: Body | symbol | void): void {
    if (value === NOT_DONE_YET || this.finished) return;
    const x = this.#x;
    // The common case (nothing written during render, no encoder, nothing lost): straight to the one write.
    if (x === undefined && !this.startedWriting) {
      this.#finishWith(value === undefined ? '' : (value as Body));
      return;
    }
    if (x?.lost) return;
    const held = x?.held;
    if (held !== undefined && !this.startedWriting) {
      if (x!.encoder) this.#release();
      else {
        // Written during render, then returned: all of it is known, so it still gets a Content-Length.
        if (value !== undefined) held.push(value as Body);
        this.#finishRaw();
        return;
      }
    }
    if (x?.encoder || this.startedWriting) {
      if (value !== undefined) this.write(value as Body);
      this.finish();
      return;
    }
    this.#finishWith(value === undefined ? '' : (value as Body));
  }

  /** The fast path: the whole body is known, so head and body leave in one write. */
  #finishWith(body: Body): void {
    const len = byteLength(body);
    const ch = this.#channel;
    const head = this.#head(len);
    this.sentLength = len;
    if (this.method === 'HEAD' || noBodyStatus(this.code)) ch.write(head);
    else if (typeof body === 'string') ch.write(withBody(head, body));
    else ch.writePair(head, body);
    this.#done();
  }

  /** Writes held during a synchronous render go out now, as chunked (the length is not known). */
  #release(): void {
    const x = this.#x;
    const held = x?.held;
    if (held === undefined || this.startedWriting || this.finished) return;
    x!.held = undefined;
    this.#channel.cork();
    for (const d of held) this.#writeBody(d);
    this.#channel.uncork();
  }

  #writeBody(data: Body): void {
    if (this.#x?.lost) return;
    if (this.#holding && !this.startedWriting) {
      (this.#more().held ??= []).push(data);
      return;
    }
    const ch = this.#channel;
    if (!this.startedWriting) ch.write(this.#head(-1));
    const len = byteLength(data);
    if (len === 0) return;
    this.sentLength += len;
    if (this.method === 'HEAD' || noBodyStatus(this.code)) return;
    if (!this.#chunked) ch.write(data);
    else if (typeof data === 'string') ch.write(`${len.toString(16)}\r\n${data}\r\n`);
    else {
      ch.cork();
      ch.write(`${len.toString(16)}\r\n`);
      ch.write(data);
      ch.write('\r\n');
      ch.uncork();
    }
  }

  #finishRaw(): void {
    const x = this.#x;
    if (x?.lost) {
      this.finished = true;
      return;
    }
    if (!this.startedWriting) {
      const held = x?.held;
      if (x !== undefined) x.held = undefined;
      if (held === undefined) this.#finishWith('');
      else if (held.length === 1) this.#finishWith(held[0]);
      else this.#finishWith(Buffer.concat(held.map((d) => (typeof d === 'string' ? Buffer.from(d) : d))));
      return;
    }
    if (this.#chunked) this.#channel.write('0\r\n\r\n');
    this.#done();
  }

  #done(): void {
    this.finished = true;
    const x = this.#x;
    if (x === undefined) {
      this.#channel.requestDone(this);
      return;
    }
    this.unregisterProducer();
    this.#channel.requestDone(this);
    const waiting = x.notify;
    x.notify = undefined;
    if (waiting) for (const d of waiting) d.callback(undefined);
  }

  /** Decides the framing and persistence, then builds the head. `length` -1: unknown. */
  #head(length: number): string {
    this.startedWriting = true;
    const code = this.code;
    if (!this.#bodyDone) this.persistent = false;
    let contentLength = -1;
    if (!noBodyStatus(code) && !this.#hasLength) {
      if (length >= 0) contentLength = length;
      else if (this.method !== 'HEAD' && this.clientproto === 'HTTP/1.1') this.#chunked = true;
      else if (this.method !== 'HEAD') this.persistent = false;
    }
    const connection = !this.persistent ? ConnectionLine.CLOSE : this.clientproto === 'HTTP/1.0' ? ConnectionLine.KEEP_ALIVE : ConnectionLine.NONE;
    return responseHead(code, this.#x?.codeMessage, this.#outHeaders, contentLength, this.#chunked, connection);
  }
}

/** The state of a request that only some requests have: its own object, so the request stays small. */
class RequestExtras {
  headers: Headers | undefined = undefined;
  args: Map<string, string[]> | undefined = undefined;
  cookies: Map<string, string> | undefined = undefined;
  codeMessage: string | undefined = undefined;
  /** Writes held during a synchronous render. */
  held: Body[] | undefined = undefined;
  encoder: IResponseEncoder | undefined = undefined;
  notify: Deferred<void>[] | undefined = undefined;
  lost: Failure | undefined = undefined;
  /** The buffered body's pieces, until it is complete. */
  body: Uint8Array[] | undefined = undefined;
  bodySize = 0;
  bodyReceiver: IBodyReceiver | undefined = undefined;
  session: Session | undefined = undefined;
  producer = false;
}

const EMPTY = new Uint8Array(0);
/** Shared by every request until its first response header (frozen: a push to it would be a bug). */
const NO_HEADERS: string[] = Object.freeze([]) as unknown as string[];
