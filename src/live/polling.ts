/**
 * Long polling, the fallback transport for networks that block WebSockets. A virtual connection is a
 * series of HTTP requests: `POST poll?s=new` opens it (its body holds the first frames, HELLO included) and
 * answers `{"s": id}`; `POST poll?s=id` carries more frames from the page; `GET poll?s=id` waits up to
 * `pollTimeout` seconds for frames to the page. Bodies are JSON arrays of frames. An unknown or closed `s`
 * answers 410, and the page then reconnects like after a dropped WebSocket.
 * @module
 */
import { Resource, NOT_DONE_YET, type Request } from '../web/index.js';
import { cancelTimer } from './shared/clock.js';
import { GONE } from './shared/frames.js';
import type { LiveClock, LiveTimer } from './shared/interfaces.js';
import { LiveEndpoint, type PageDirectory } from './endpoint.js';

/** Options of a {@link PollingResource}. */
export interface PollingOptions {
  clock: LiveClock;
  /** Seconds a GET waits for frames before answering `[]` (default 20). */
  pollTimeout: number;
  /** Seconds without any request (and no GET waiting) after which the virtual connection is closed. */
  idleTimeout: number;
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

/** One virtual connection made of HTTP requests. */
class PollingSocket {
  readonly endpoint: LiveEndpoint;
  #outbox: string[] = [];
  #waiting: { request: Request; timer: LiveTimer } | null = null;
  #flushTimer: LiveTimer | null = null;
  #idleTimer: LiveTimer | null = null;
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
  frames(frames: unknown): boolean {
    if (!Array.isArray(frames) || !frames.every((f) => typeof f === 'string')) return false;
    this.#touch();
    for (const f of frames as string[]) this.endpoint.frameReceived(f);
    return true;
  }

  /** A GET: answer at once if frames wait, otherwise hold it. */
  poll(request: Request): void {
    this.#answer([]); // at most one GET waits
    // Frames left when the connection closed (a GONE) still go out, then 410.
    if (this.#outbox.length > 0) {
      if (!this.#closed) this.#touch();
      return respondJSON(request, this.#outbox.splice(0));
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
    this.#outbox.push(frame);
    if (this.#waiting !== null && this.#flushTimer === null) {
      // Batch the frames of one turn into one response.
      this.#flushTimer = this.options.clock.callLater(0, () => {
        this.#flushTimer = null;
        if (this.#outbox.length > 0) this.#answer(this.#outbox.splice(0));
      });
    }
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
    this.#outbox = this.#outbox.filter((f) => f.startsWith(`[${GONE},`));
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
  readonly #sockets = new Map<string, PollingSocket>();

  constructor(
    readonly pages: PageDirectory,
    readonly options: PollingOptions,
  ) {
    super();
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
    const s = request.args.get('s')?.[0];
    let frames: unknown;
    try {
      frames = JSON.parse(Buffer.from(request.content).toString('utf8'));
    } catch {
      frames = undefined;
    }
    let socket: PollingSocket | undefined;
    if (s === 'new') {
      socket = new PollingSocket(randomId(), this.pages, this.options, (x) => this.#sockets.delete(x.id));
      this.#sockets.set(socket.id, socket);
    } else socket = s === undefined ? undefined : this.#sockets.get(s);
    if (socket === undefined) respondJSON(request, null, 410);
    else if (!socket.frames(frames)) respondJSON(request, null, 400);
    else respondJSON(request, s === 'new' ? { s: socket.id } : {});
    return NOT_DONE_YET;
  }

  /** Waits for frames to the page. */
  renderGET(request: Request): typeof NOT_DONE_YET {
    const socket = this.#sockets.get(request.args.get('s')?.[0] ?? '');
    if (socket === undefined) respondJSON(request, null, 410);
    else socket.poll(request);
    return NOT_DONE_YET;
  }
}
