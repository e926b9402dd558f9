/**
 * Long polling, the fallback transport for networks that block WebSockets. A virtual connection is a
 * series of HTTP requests: `POST poll?s=new` opens it (its body holds the first frames, HELLO first) and
 * answers `{"s": id}`, or `{"gone": reason}` when the HELLO names no live page; `POST poll?s=id` carries more
 * frames from the page; `GET poll?s=id` waits up to `pollTimeout` seconds for frames to the page. Bodies are
 * JSON arrays of frames. An unknown or closed `s` answers 410, and the page then reconnects like after a
 * dropped WebSocket.
 *
 * A virtual connection costs memory until it is closed, so one is only opened for a well-formed HELLO naming
 * a live page, and at most `maxSockets` are open. Frames wait for the next GET in an outbox charged to the
 * page's budget; past `highWater` bytes the page's messages wait in its session instead (as on a full
 * WebSocket), and the endpoint closes a connection whose page does not come to take them.
 * @module
 */
import { Resource, NOT_DONE_YET, type Request } from '../web/index.js';
import type { MemoryBudget } from './shared/budget.js';
import { textCost } from './shared/budget.js';
import { cancelTimer } from './shared/timers.js';
import { LiveProtocolError } from './shared/errors.js';
import { GONE, HELLO, decodeFrame } from './shared/frames.js';
import type { IReactorTime, IDelayedCall } from '../time/interfaces.js';
import { LiveEndpoint, type PageDirectory } from './endpoint.js';
import { originAllowed } from './origin.js';
import { DEFAULT_LIVE_LIMITS } from './shared/limits.js';

/** Options of a {@link PollingResource}. */
export interface PollingOptions {
  clock: IReactorTime;
  /** Seconds a GET waits for frames before answering `[]` (default 20). */
  pollTimeout: number;
  /** Seconds without any request (and no GET waiting) after which the virtual connection is closed. */
  idleTimeout: number;
  /** Bytes of frames waiting for a GET above which the page's messages wait in its session (default `pollHighWater`). */
  highWater?: number;
  /** Virtual connections open at once; beyond it `s=new` is a 503 (default `maxPollingSockets`). */
  maxSockets?: number;
  /** Origins besides the page's own that may poll (see `origin.ts`). */
  allowedOrigins?: readonly string[];
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function respondJSON(request: Request, body: unknown, code = 200): void {
  request.setResponseCode(code);
  request.setHeader('Content-Type', 'application/json');
  request.setHeader('Cache-Control', 'no-store');
  request.write(JSON.stringify(body));
  request.finish();
}

/** The frames of a POST body, or null when it is not a JSON array of strings. */
function parseFrames(request: Request): string[] | null {
  let frames: unknown;
  try {
    frames = JSON.parse(Buffer.from(request.content).toString('utf8'));
  } catch {
    return null;
  }
  return Array.isArray(frames) && frames.every((f) => typeof f === 'string') ? (frames as string[]) : null;
}

/** One virtual connection made of HTTP requests. */
class PollingSocket {
  readonly endpoint: LiveEndpoint;
  #outbox: string[] = [];
  /** What the outbox holds, and the part of it charged to `#charged`'s budget. */
  #outboxBytes = 0;
  #chargedBytes = 0;
  #charged: MemoryBudget | null = null;
  #waiting: { request: Request; timer: IDelayedCall } | null = null;
  #flushTimer: IDelayedCall | null = null;
  #idleTimer: IDelayedCall | null = null;
  #closed = false;

  constructor(
    readonly id: string,
    pages: PageDirectory,
    readonly options: PollingOptions,
    readonly onClose: (socket: PollingSocket) => void,
  ) {
    this.endpoint = new LiveEndpoint(pages, (f) => this.#push(f), () => this.#close());
    this.#touch();
  }

  /** Frames from the page, in order. */
  frames(frames: readonly string[]): void {
    this.#touch();
    for (const f of frames) this.endpoint.frameReceived(f);
  }

  /** A GET: answer at once if frames wait, otherwise hold it. */
  poll(request: Request): void {
    this.#answer([]); // at most one GET waits
    // Frames left when the connection closed (a GONE) still go out, then 410.
    if (this.#outbox.length > 0) {
      if (!this.#closed) this.#touch();
      return respondJSON(request, this.#takeOutbox());
    }
    if (this.#closed) return respondJSON(request, null, 410);
    const timer = this.options.clock.callLater(this.options.pollTimeout, () => this.#answer([]));
    this.#waiting = { request, timer };
    cancelTimer(this.#idleTimer);
    request.notifyFinish().addErrback(() => {
      if (this.#waiting?.request !== request) return;
      cancelTimer(this.#waiting.timer);
      this.#waiting = null;
      this.#touch();
    });
  }

  #push(frame: string): void {
    if (this.#closed) return;
    const cost = textCost(frame);
    this.#outbox.push(frame);
    this.#outboxBytes += cost;
    // A refused charge drops the page, which closes this connection: the frame is kept only for that GONE.
    const budget = this.endpoint.connection?.budget ?? null;
    if (budget !== null && (this.#charged === null || this.#charged === budget) && budget.charge(cost)) {
      this.#charged = budget;
      this.#chargedBytes += cost;
    }
    if (this.#outboxBytes >= (this.options.highWater ?? DEFAULT_LIVE_LIMITS.pollHighWater)) this.endpoint.pauseSending();
    if (this.#waiting !== null && this.#flushTimer === null) {
      // Batch the frames of one turn into one response.
      this.#flushTimer = this.options.clock.callLater(0, () => {
        this.#flushTimer = null;
        if (this.#outbox.length > 0) this.#answer(this.#takeOutbox());
      });
    }
  }

  /** Empties the outbox for a response; the page's messages may flow again. */
  #takeOutbox(): string[] {
    const frames = this.#emptyOutbox();
    this.endpoint.resumeSending();
    return frames;
  }

  #emptyOutbox(): string[] {
    const frames = this.#outbox;
    this.#outbox = [];
    this.#outboxBytes = 0;
    this.#charged?.release(this.#chargedBytes);
    this.#chargedBytes = 0;
    return frames;
  }

  #answer(frames: string[] | null, code = 200): void {
    const w = this.#waiting;
    if (w === null) return;
    this.#waiting = null;
    cancelTimer(w.timer);
    respondJSON(w.request, frames, code);
    if (!this.#closed) this.#touch();
  }

  #touch(): void {
    cancelTimer(this.#idleTimer);
    this.#idleTimer = this.options.clock.callLater(this.options.idleTimeout, () => {
      this.#idleTimer = null;
      if (this.#waiting === null) this.endpoint.close('idle');
    });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    cancelTimer(this.#idleTimer);
    cancelTimer(this.#flushTimer);
    // After a close only a GONE still matters (the session resends the rest on the next connection).
    this.#outbox = this.#emptyOutbox().filter((f) => f.startsWith(`[${GONE},`));
    if (this.#outbox.length > 0 && this.#waiting !== null) this.#answer(this.#outbox.splice(0));
    else this.#answer(null, 410);
    // Keep last frames (a GONE) for one more GET.
    if (this.#outbox.length > 0) this.#idleTimer = this.options.clock.callLater(this.options.pollTimeout, () => this.onClose(this));
    else this.onClose(this);
  }

  /** Closes it and forgets it now, kept frames included. */
  dispose(): void {
    this.endpoint.close('server shutting down');
    cancelTimer(this.#idleTimer);
    this.onClose(this);
  }
}

/** The `poll` endpoint of a live page. */
export class PollingResource extends Resource {
  override isLeaf = true;
  /** A POST carries at most a few frames' worth (the page splits larger batches). */
  readonly maxBodySize: number;
  readonly #sockets = new Map<string, PollingSocket>();

  constructor(
    readonly pages: PageDirectory,
    readonly options: PollingOptions,
  ) {
    super();
    this.maxBodySize = 4 * pages.maxFrameSize;
  }

  /** Number of open virtual connections. */
  get socketCount(): number {
    return this.#sockets.size;
  }

  /** Closes every virtual connection (their pages may reconnect elsewhere, or are gone). */
  closeAll(): void {
    for (const socket of [...this.#sockets.values()]) socket.dispose();
  }

  /** Frames from the page; `s=new` opens a virtual connection. */
  renderPOST(request: Request): typeof NOT_DONE_YET {
    if (!originAllowed(request, this.options.allowedOrigins ?? [])) {
      respondJSON(request, null, 403);
      return NOT_DONE_YET;
    }
    const s = request.args.get('s')?.[0];
    const frames = parseFrames(request);
    if (s === 'new') this.#open(request, frames);
    else {
      const socket = s === undefined ? undefined : this.#sockets.get(s);
      if (socket === undefined) respondJSON(request, null, 410);
      else if (frames === null) respondJSON(request, null, 400);
      else {
        socket.frames(frames);
        respondJSON(request, {});
      }
    }
    return NOT_DONE_YET;
  }

  /** Waits for frames to the page. */
  renderGET(request: Request): typeof NOT_DONE_YET {
    if (!originAllowed(request, this.options.allowedOrigins ?? [])) {
      respondJSON(request, null, 403);
      return NOT_DONE_YET;
    }
    const socket = this.#sockets.get(request.args.get('s')?.[0] ?? '');
    if (socket === undefined) respondJSON(request, null, 410);
    else socket.poll(request);
    return NOT_DONE_YET;
  }

  /** `s=new`: a socket only for a well-formed HELLO naming a live page, and only while there is room. */
  #open(request: Request, frames: string[] | null): void {
    let pageId: string | null = null;
    try {
      const hello = frames !== null && frames.length > 0 ? decodeFrame(frames[0]!, this.pages.maxFrameSize) : null;
      if (hello !== null && hello[0] === HELLO && hello.length === 3) pageId = hello[1];
    } catch (e) {
      if (!(e instanceof LiveProtocolError)) throw e;
    }
    if (pageId === null) return respondJSON(request, null, 400);
    const page = this.pages.connection(pageId);
    if (page === undefined || page.isGone) return respondJSON(request, { gone: 'no such page' });
    if (this.#sockets.size >= (this.options.maxSockets ?? DEFAULT_LIVE_LIMITS.maxPollingSockets)) {
      request.setHeader('Retry-After', 5);
      return respondJSON(request, null, 503);
    }
    const socket = new PollingSocket(randomId(), this.pages, this.options, (x) => this.#sockets.delete(x.id));
    this.#sockets.set(socket.id, socket);
    socket.frames(frames!);
    respondJSON(request, { s: socket.id });
  }
}
