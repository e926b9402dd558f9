/**
 * `HTTPChannel`: the HTTP/1.1 server protocol, one per connection (Twisted's `web.http.HTTPChannel`).
 *
 * State machine: `HEAD -> (BODY_LENGTH | BODY_CHUNKED)? -> HEAD ...`, with one request active at a time.
 * Pipelined requests wait in the input buffer until the response before them is finished, so responses
 * leave in order; every response written while one `dataReceived` is being processed is corked and sent in
 * one transport write (16 pipelined requests in, one write out).
 * @module
 */
import { Failure } from '../defer/index.js';
import { Protocol } from '../internet/protocol.js';
import { isSecure } from '../internet/capabilities.js';
import type { Data, IProtocol, IPullProducer, IPushProducer, ISSLTransport, IStreamTransport, ITCPTransport } from '../internet/interfaces.js';
import { ChunkedDecoder } from './chunked.js';
import { bodyLength, HTTPParseError, parseRequestHead } from './http-parser.js';
import { webLog } from './log.js';
import { Request } from './request.js';
import type { Site } from './site.js';
import { errorHTML } from './resource.js';
import { httpDate, RESPONSES, statusLine } from './status.js';
import { CODEC_LIMITS } from './limits.js';

const enum State { HEAD, BODY_LENGTH, BODY_CHUNKED, UPGRADED, DEAD }

/** What the site's timeout sweep should do when `deadline` passes. */
export const enum Timeout { NONE, IDLE, HEADERS, BODY }

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const SMALL_CONCAT = 64 * 1024;
/** Unread response bytes above which no new pipelined request is started. */
const OUTPUT_HIGH_WATER = 256 * 1024;

type Latin1 = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** `buf.toString('latin1', ...)` without its argument checking (Node's own fast path when present). */
function latin1(buf: Buffer, start: number, end: number): string {
  const b = buf as Latin1;
  return typeof b.latin1Slice === 'function' ? b.latin1Slice(start, end) : buf.toString('latin1', start, end);
}

/**
 * The index of the first CRLFCRLF in `buf` from `from`, ending before `to`, or -1: a loop over bytes, cheaper
 * for a head of a few dozen bytes than a string search (a call into the runtime per request). It looks at the
 * byte where a match would end and moves on as far as that byte allows (Horspool): past a byte that is neither
 * CR nor LF no match can end within the next three, so most of a head is read one byte in four.
 */
function headEnd(buf: Buffer, from: number, to: number): number {
  let i = from + 3;
  while (i < to) {
    const c = buf[i];
    if (c === 0x0a) {
      if (buf[i - 1] === 0x0d && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d) return i - 3;
      i += 2;
    } else if (c === 0x0d) i += 1;
    else i += 4;
  }
  return -1;
}

/** The last batch that was one string repeated, and its join (kept only up to `SMALL_CONCAT` characters). */
let lastPiece = '';
let lastCount = 0;
let lastJoined = '';

/**
 * `out.join('')`. Pipelined requests for one resource within one second get the same response string each (the
 * response-head cache hands out the same string), so a batch that repeats the last one's string as many times
 * is the last join again: a few comparisons instead of a new string of the whole batch.
 */
function joinStrings(out: readonly string[], size: number): string {
  const first = out[0];
  let i = 1;
  while (i < out.length && out[i] === first) i++;
  if (i < out.length) return out.join('');
  if (out.length === lastCount && first === lastPiece) return lastJoined;
  const joined = out.join('');
  if (size <= SMALL_CONCAT) {
    lastPiece = first;
    lastCount = out.length;
    lastJoined = joined;
  }
  return joined;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * What a channel runs over: any stream transport (producers, pausing, the write buffer); it sets TCP_NODELAY
 * and aborts where the transport can, and asks the TLS marker whether the connection is secure.
 */
export type ChannelTransport = IStreamTransport & Partial<ITCPTransport> & Partial<ISSLTransport>;

/**
 * The HTTP server protocol. Built by `Site.buildProtocol`; everything configurable lives on the site.
 */
export class HTTPChannel extends Protocol<ChannelTransport> implements IPushProducer {
  /** Site clock seconds after which the timeout sweep acts (0: never). */
  deadline = 0;
  /** What the sweep does at `deadline`. */
  timeoutKind: Timeout = Timeout.NONE;
  readonly site: Site;
  #state = State.HEAD;
  #buf: Buffer | null = null;
  #remaining = 0;
  #decoder: ChunkedDecoder | null = null;
  #active: Request | null = null;
  #cork = 0;
  #out: Data[] | null = null;
  #outSize = 0;
  #closeAfterFlush = false;
  #processing = false;
  #bodyPaused = false;
  #readPaused = false;
  #expectContinue = false;
  #bodyStarted = false;
  #upgraded: IProtocol | null = null;
  /** A request's producer is registered with the transport. */
  #requestProducer = false;
  /** The channel itself is registered with the transport, because the client is not reading its responses. */
  #selfRegistered = false;
  /** The transport asked the channel to stop producing: start no new request until it resumes. */
  #writePaused = false;
  /** Site seconds by which the body must be in, before the `minBodyRate` allowance (0: not reading yet). */
  #bodyDue = 0;
  /** Body bytes received so far. */
  #bodyReceived = 0;
  /** Site seconds when the resource paused the body (-1: not paused by it). */
  #bodyPausedAt = -1;

  constructor(site: Site) {
    super();
    this.site = site;
  }

  /** True when TLS protects the connection now (the transport's `ISSLTransport` marker, so after a STARTTLS too). */
  get secure(): boolean {
    return isSecure(this.transport);
  }

  override connectionMade(): void {
    const t = this.transport;
    // Responses are written whole; Nagle's algorithm would only hold back the last segment of each.
    if (typeof t.setTcpNoDelay === 'function') t.setTcpNoDelay(true);
    this.site.channelOpened(this);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#upgraded !== null) {
      this.#upgraded.dataReceived(data);
      return;
    }
    if (this.#state === State.DEAD) return;
    let buf = asBuffer(data);
    if (this.#buf !== null) {
      buf = Buffer.concat([this.#buf, buf]);
      this.#buf = null;
    }
    this.#cork++;
    this.#process(buf);
    this.uncork();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#state = State.DEAD;
    this.#buf = null;
    this.site.channelClosed(this);
    const upgraded = this.#upgraded;
    if (upgraded !== null) {
      upgraded.connectionLost(reason);
      return;
    }
    const active = this.#active;
    this.#active = null;
    if (active !== null) active.connectionLost(reason);
  }

  // ---------------------------------------------------------------- input

  #process(buf: Buffer): void {
    this.#processing = true;
    const site = this.site;
    const len = buf.length;
    let pos = 0;
    // Heads are found and scanned as bytes, and their pieces cut from one latin1 decode of the read (a window
    // of at most a head's size), so 16 pipelined requests cost one decode, not 16.
    let text = '';
    let textStart = 0;
    try {
      while (pos < len) {
        const state = this.#state;
        if (state === State.HEAD) {
          if (this.#outSize > OUTPUT_HIGH_WATER) this.#flush();
          if (this.#active !== null || this.#writePaused) break;
          while (pos + 1 < len && buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
          if (pos >= len) break;
          const window = site.maxHeadSize + 4;
          let textEnd = textStart + text.length;
          if (pos >= textEnd || (textEnd < len && textEnd - pos < window)) {
            textStart = pos;
            text = latin1(buf, pos, Math.min(len, pos + window));
            textEnd = textStart + text.length;
          }
          const end = headEnd(buf, pos, Math.min(len, pos + window));
          if (end === -1) {
            this.#incompleteHead(buf, pos);
            break;
          }
          if (end - pos > site.maxHeadSize) throw new HTTPParseError(431, 'request head too large');
          const headStart = pos;
          pos = end + 4;
          this.#startRequest(buf, headStart, end, text, textStart);
        } else if (state === State.BODY_LENGTH) {
          if (this.#bodyPaused) break;
          const n = Math.min(this.#remaining, len - pos);
          const chunk = buf.subarray(pos, pos + n);
          pos += n;
          this.#remaining -= n;
          this.#deliver(chunk);
        } else if (state === State.BODY_CHUNKED) {
          if (this.#bodyPaused) break;
          pos = this.#decoder!.feed(buf, pos, (chunk) => this.#deliverChunk(chunk));
          if (this.#state === State.BODY_CHUNKED && this.#decoder!.done) this.#bodyComplete();
        } else break;
      }
    } catch (e) {
      this.#processing = false;
      this.#badInput(e);
      return;
    }
    this.#processing = false;
    if (pos < len) {
      const rest = buf.subarray(pos);
      if (this.#upgraded !== null) this.#upgraded.dataReceived(rest);
      else if (this.#state !== State.DEAD) {
        // A small remainder of a big read is copied, so a partial request does not pin the whole read buffer.
        this.#buf = rest.length * 4 < rest.buffer.byteLength ? Buffer.from(rest) : rest;
        if (rest.length > CODEC_LIMITS.maxPendingInput && !this.#readPaused) {
          this.#readPaused = true;
          this.transport.pauseProducing();
        }
      }
    }
  }

  #incompleteHead(buf: Buffer, pos: number): void {
    const site = this.site;
    const avail = buf.length - pos;
    if (avail > site.maxHeadSize) throw new HTTPParseError(431, 'request head too large');
    const eol = buf.indexOf(0x0a, pos);
    if (eol === -1 ? avail > site.maxRequestLine : eol - pos > site.maxRequestLine) throw new HTTPParseError(414, 'request line too long');
    if (buf.indexOf('\n\n', pos) !== -1 || buf.indexOf('\n\r\n', pos) !== -1) throw new HTTPParseError(400, 'bare LF in request head');
    if (this.timeoutKind !== Timeout.HEADERS) this.#setTimeout(Timeout.HEADERS, site.timeouts.headers);
  }

  /** Starts the request whose head is `buf` from `start` to `end` (its blank line); `text` decodes `buf` from `textStart`. */
  #startRequest(buf: Buffer, start: number, end: number, text: string, textStart: number): void {
    const site = this.site;
    const parsed = parseRequestHead(buf, start, end, text, textStart, site.maxHeaderCount, site.maxRequestLine);
    const length = parsed.framed ? bodyLength(parsed.headers, parsed.minor) : 0;
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host (virtual hosting and proxies depend on it).
    if (parsed.minor === 1 && parsed.hosts !== 1) throw new HTTPParseError(400, parsed.hosts === 0 ? 'missing Host header' : 'more than one Host header');
    const req = new Request(this, parsed.method, parsed.uri, parsed.minor, parsed.headers, parsed.connection, site.now);
    this.#active = req;
    this.#bodyStarted = false;
    this.#bodyDue = 0;
    this.#bodyReceived = 0;
    this.#bodyPausedAt = -1;
    if (length === 0) {
      this.#setTimeout(Timeout.NONE, 0);
      req.bodyEnd();
    } else {
      this.#bodyPaused = true;
      this.#setTimeout(Timeout.BODY, site.timeouts.body);
      if (length > 0) {
        this.#state = State.BODY_LENGTH;
        this.#remaining = length;
      } else {
        this.#state = State.BODY_CHUNKED;
        this.#decoder = new ChunkedDecoder();
      }
      const expect = req.getHeader('expect');
      this.#expectContinue = parsed.minor === 1 && expect !== null && expect.toLowerCase() === '100-continue';
    }
    site.dispatch(req, length);
  }

  #deliver(chunk: Uint8Array): void {
    this.#bodyStarted = true;
    this.#bodyReceived += chunk.length;
    this.#armBodyTimeout();
    if (chunk.length > 0 && !this.#active!.bodyData(chunk)) {
      this.rejectBody(this.#active!, 413);
      return;
    }
    if (this.#remaining === 0 && this.#state === State.BODY_LENGTH) this.#bodyComplete();
  }

  #deliverChunk(chunk: Uint8Array): void {
    this.#bodyStarted = true;
    this.#bodyReceived += chunk.length;
    this.#armBodyTimeout();
    if (this.#active !== null && !this.#active.bodyData(chunk)) throw new HTTPParseError(413, 'request body too large');
  }

  #bodyComplete(): void {
    this.#state = State.HEAD;
    this.#decoder = null;
    this.#setTimeout(Timeout.NONE, 0);
    this.#active?.bodyEnd();
  }

  #badInput(e: unknown): void {
    if (!(e instanceof HTTPParseError)) {
      webLog.failure('HTTP channel failed', new Failure(e));
      this.abort();
      return;
    }
    webLog.info('Bad request from {peer}: {reason}', { peer: String(this.transport.getPeer()), reason: e.message });
    this.#sendErrorAndClose(e.status, e.message);
  }

  #sendErrorAndClose(code: number, detail: string): void {
    const active = this.#active;
    this.#state = State.DEAD;
    this.#buf = null;
    if (active !== null) {
      if (!active.startedWriting) active.sendError(code, detail);
      else this.abort();
      return;
    }
    const body = errorHTML(code, RESPONSES[code] ?? 'Error', detail);
    this.write(`${statusLine(code)}Date: ${httpDate()}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    this.#close();
  }

  // ---------------------------------------------------------------- called by Request

  /** @internal the resource wants the body: start reading it (and say `100 Continue` if asked to). */
  bodyWanted(req: Request): void {
    if (req !== this.#active || !this.#bodyPaused) return;
    this.#bodyPaused = false;
    const deadline = this.site.timeouts.bodyDeadline;
    if (this.#bodyDue === 0 && deadline > 0) this.#bodyDue = this.site.now + deadline;
    this.#armBodyTimeout();
    if (this.#expectContinue && !this.#bodyStarted) this.write(CONTINUE);
    this.#expectContinue = false;
    this.#drain();
  }

  /** @internal refuses the body with `code` (413) and closes after the response. */
  rejectBody(req: Request, code: number): void {
    if (req !== this.#active) return;
    this.#sendErrorAndClose(code, code === 413 ? 'The request body is larger than this resource accepts.' : 'Bad request body.');
  }

  /** @internal stops reading the body (backpressure from a streaming resource). */
  pauseBody(): void {
    if (this.#bodyPaused || this.#state === State.DEAD || this.#state === State.HEAD) return;
    this.#bodyPaused = true;
    this.#bodyPausedAt = this.site.now;
    this.#armBodyTimeout();
    this.transport.pauseProducing();
    this.#readPaused = true;
  }

  /** @internal resumes reading the body. */
  resumeBody(): void {
    if (!this.#bodyPaused) return;
    this.#bodyPaused = false;
    if (this.#bodyPausedAt >= 0 && this.#bodyDue > 0) this.#bodyDue += this.site.now - this.#bodyPausedAt;
    this.#bodyPausedAt = -1;
    this.#armBodyTimeout();
    this.#resumeReading();
    this.#drain();
  }

  /** @internal the active request is finished: log it, then close or go on to the next request. */
  requestDone(req: Request): void {
    if (req !== this.#active) return;
    this.#active = null;
    this.site.logAccess(req, this);
    if (!req.persistent || this.#state !== State.HEAD) {
      this.#state = State.DEAD;
      this.#buf = null;
      this.#close();
      return;
    }
    this.#setTimeout(Timeout.IDLE, this.site.timeouts.idle);
    this.#resumeReading();
    this.#drain();
  }

  /** @internal hands the connection to `protocol` after writing `head` (a 101 response). */
  upgrade(req: Request, head: string, protocol: IProtocol): void {
    if (req !== this.#active) throw new Error('only the active request can switch protocols');
    this.#active = null;
    this.#state = State.UPGRADED;
    this.#upgraded = protocol;
    this.#setTimeout(Timeout.NONE, 0);
    // An upgraded connection has no HTTP timeout left: the site's sweep (and set) need not hold it.
    this.site.channelClosed(this);
    this.site.logAccess(req, this);
    this.write(head);
    this.#flush();
    this.#unregisterSelf();
    protocol.makeConnection(this.transport);
    const rest = this.#buf;
    this.#buf = null;
    this.#resumeReading();
    if (rest !== null && rest.length > 0) protocol.dataReceived(rest);
  }

  /** @internal registers a response producer on the transport. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#flush();
    this.#unregisterSelf();
    this.#requestProducer = true;
    this.transport.registerProducer(producer, streaming);
  }

  /** @internal */
  unregisterProducer(): void {
    if (!this.#requestProducer) return;
    this.#requestProducer = false;
    this.transport.unregisterProducer();
  }

  /**
   * The transport's write buffer is over its high-water mark: a client pipelining requests without reading
   * the responses gets no more of them processed until it catches up (bounded memory per slow peer).
   */
  pauseProducing(): void {
    this.#writePaused = true;
  }

  /** The client caught up: go back to processing pipelined requests. */
  resumeProducing(): void {
    this.#writePaused = false;
    this.#unregisterSelf();
    this.#drain();
  }

  /** The transport is going away: start nothing new. */
  stopProducing(): void {
    this.#writePaused = true;
  }

  /** Registers the channel as the transport's producer when responses pile up unread and nothing else is. */
  #watchOutput(): void {
    if (this.#requestProducer || this.#selfRegistered || this.#state === State.DEAD || this.#state === State.UPGRADED) return;
    if (this.transport.getWriteBufferSize() <= OUTPUT_HIGH_WATER) return;
    this.#selfRegistered = true;
    this.transport.registerProducer(this, true);
  }

  #unregisterSelf(): void {
    if (!this.#selfRegistered) return;
    this.#selfRegistered = false;
    this.#writePaused = false;
    this.transport.unregisterProducer();
  }

  /** @internal closes at once (a response that cannot be completed). */
  abort(): void {
    this.#state = State.DEAD;
    this.#buf = null;
    const t = this.transport;
    this.#flush();
    this.#unregisterSelf();
    if (typeof t.abortConnection === 'function') t.abortConnection();
    else t.loseConnection();
  }

  /** @internal the site's sweep found `deadline` passed. */
  timedOut(): void {
    const kind = this.timeoutKind;
    this.#setTimeout(Timeout.NONE, 0);
    if (kind === Timeout.IDLE) {
      this.#state = State.DEAD;
      this.#unregisterSelf();
      this.transport.loseConnection();
    } else if (kind === Timeout.HEADERS || kind === Timeout.BODY) {
      webLog.info('Request timeout ({kind}) from {peer}', { kind: kind === Timeout.HEADERS ? 'headers' : 'body', peer: String(this.transport.getPeer()) });
      this.#sendErrorAndClose(408, 'The request took too long to arrive.');
    }
  }

  // ---------------------------------------------------------------- output

  /** Writes `data`, or holds it while corked so that it leaves with the rest in one transport write. */
  write(data: Data): void {
    if (this.#cork > 0) {
      if (this.#out === null) this.#out = [data];
      else this.#out.push(data);
      this.#outSize += typeof data === 'string' ? data.length : data.byteLength;
    } else this.transport.write(data);
  }

  /** Writes a head and a binary body together. */
  writePair(head: string, body: Uint8Array): void {
    this.#cork++;
    this.write(head);
    this.write(body);
    this.uncork();
  }

  /** Starts holding writes. */
  cork(): void {
    this.#cork++;
  }

  /** Stops holding writes; the outermost `uncork` sends what was held. */
  uncork(): void {
    if (--this.#cork === 0) this.#flush();
  }

  #flush(): void {
    const out = this.#out;
    if (out !== null) {
      this.#out = null;
      this.#outSize = 0;
      const t = this.transport;
      if (out.length === 1) t.write(out[0]);
      else {
        let strings = true;
        let size = 0;
        for (let i = 0; i < out.length; i++) {
          const d = out[i];
          if (typeof d === 'string') size += d.length;
          else {
            strings = false;
            size += d.byteLength;
          }
        }
        if (strings) t.write(joinStrings(out as string[], size));
        else if (size <= SMALL_CONCAT) t.write(Buffer.concat(out.map((d) => (typeof d === 'string' ? Buffer.from(d) : d))));
        else t.writeSequence(out);
      }
    }
    if (this.#closeAfterFlush && this.#cork === 0) {
      this.#closeAfterFlush = false;
      this.#unregisterSelf();
      this.transport.loseConnection();
    } else if (out !== null) this.#watchOutput();
  }

  #close(): void {
    this.#setTimeout(Timeout.NONE, 0);
    this.#closeAfterFlush = true;
    if (this.#cork === 0) this.#flush();
  }

  #drain(): void {
    if (this.#processing || this.#buf === null || this.#state === State.DEAD) return;
    const buf = this.#buf;
    this.#buf = null;
    this.#cork++;
    this.#process(buf);
    this.uncork();
  }

  #resumeReading(): void {
    if (!this.#readPaused || this.#bodyPaused && this.#state !== State.HEAD) return;
    this.#readPaused = false;
    this.transport.resumeProducing();
  }

  /**
   * While a body arrives, the sweep acts at the sooner of: the idle limit after the last piece, and the
   * body's deadline grown by its allowance for the bytes received (not while the resource holds it paused).
   */
  #armBodyTimeout(): void {
    if (this.timeoutKind !== Timeout.BODY) return;
    const { body, minBodyRate } = this.site.timeouts;
    let deadline = body > 0 ? this.site.now + body : 0;
    if (this.#bodyDue > 0 && this.#bodyPausedAt < 0) {
      const due = this.#bodyDue + (minBodyRate > 0 ? this.#bodyReceived / minBodyRate : 0);
      deadline = deadline === 0 ? due : Math.min(deadline, due);
    }
    this.deadline = deadline;
  }

  #setTimeout(kind: Timeout, seconds: number): void {
    this.timeoutKind = kind;
    this.deadline = kind === Timeout.NONE || !(seconds > 0) ? 0 : this.site.now + seconds;
  }
}
