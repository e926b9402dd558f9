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
import { LiveEndpoint, type EndpointTransport, type PageDirectory } from './endpoint.js';
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
  /** Where polls for pages of other nodes go (several servers behind one address, no sticky sessions). */
  remote?: RemotePolling;
}

/** A long-polling request, as one node forwards it to another. */
export interface ForwardedPoll {
  method: 'GET' | 'POST';
  /** The virtual connection id, or `new`. */
  s: string;
  /** A POST's frames (`null` for a GET, or for a body that is not a JSON array of strings). */
  frames: string[] | null;
}

/** Where the answer to a poll goes: an HTTP response here, or a message back to the node that forwarded it. */
export interface PollAnswer {
  /** Answers with `code` and the JSON `body`, once. */
  send(code: number, body: unknown, retryAfter?: number): void;
  /** Calls `fn` if the asker stops waiting before the answer (the browser went away). */
  abandoned(fn: () => void): void;
}

/**
 * Long polling across several servers behind one address without sticky sessions: each server's page ids
 * and virtual connection ids start with its `idPrefix`, and a poll for an id of another server is forwarded
 * there, which answers it as if the poll had come to it ({@link PollingResource.answerForwarded}).
 */
export interface RemotePolling {
  /** Starts the ids of this server's pages and virtual connections. */
  readonly idPrefix: string;
  /**
   * Forwards `poll` to the server whose `idPrefix` starts `id` (a page id for `new`, else a connection id),
   * which answers it through `answer`; false when `id` names no other server.
   */
  forward(id: string, poll: ForwardedPoll, answer: PollAnswer): boolean;
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The answer to a poll that came here over HTTP. */
function requestAnswer(request: Request): PollAnswer {
  return {
    send(code, body, retryAfter) {
      if (retryAfter !== undefined) request.setHeader('Retry-After', retryAfter);
      respondJSON(request, body, code);
    },
    abandoned(fn) {
      request.notifyFinish().addErrback(() => fn());
    },
  };
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
class PollingSocket implements EndpointTransport {
  readonly endpoint: LiveEndpoint;
  #outbox: string[] = [];
  /** What the outbox holds, and the part of it charged to `#charged`'s budget. */
  #outboxBytes = 0;
  #chargedBytes = 0;
  #charged: MemoryBudget | null = null;
  #waiting: { answer: PollAnswer; timer: IDelayedCall } | null = null;
  #flushTimer: IDelayedCall | null = null;
  #idleTimer: IDelayedCall | null = null;
  #closed = false;

  constructor(
    readonly id: string,
    pages: PageDirectory,
    readonly options: PollingOptions,
    readonly onClose: (socket: PollingSocket) => void,
  ) {
    this.endpoint = new LiveEndpoint(pages, this);
    this.#touch();
  }

  /** Frames from the page, in order. */
  frames(frames: readonly string[]): void {
    this.#touch();
    for (const f of frames) this.endpoint.frameReceived(f);
  }

  /** A GET: answer at once if frames wait, otherwise hold it. */
  poll(answer: PollAnswer): void {
    this.#answer([]); // at most one GET waits
    // Frames left when the connection closed (a GONE) still go out, then 410.
    if (this.#outbox.length > 0) {
      if (!this.#closed) this.#touch();
      return answer.send(200, this.#takeOutbox());
    }
    if (this.#closed) return answer.send(410, null);
    const timer = this.options.clock.callLater(this.options.pollTimeout, () => this.#answer([]));
    this.#waiting = { answer, timer };
    cancelTimer(this.#idleTimer);
    answer.abandoned(() => {
      if (this.#waiting?.answer !== answer) return;
      cancelTimer(this.#waiting.timer);
      this.#waiting = null;
      this.#touch();
    });
  }

  sendLiveFrame(frame: string): void {
    this.#push(frame);
  }

  closeLiveTransport(): void {
    this.#close();
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
    w.answer.send(code, frames);
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
    if (!originAllowed(request, this.options.allowedOrigins ?? [])) respondJSON(request, null, 403);
    else this.#handle({ method: 'POST', s: request.args.get('s')?.[0] ?? '', frames: parseFrames(request) }, requestAnswer(request), true);
    return NOT_DONE_YET;
  }

  /** Waits for frames to the page. */
  renderGET(request: Request): typeof NOT_DONE_YET {
    if (!originAllowed(request, this.options.allowedOrigins ?? [])) respondJSON(request, null, 403);
    else this.#handle({ method: 'GET', s: request.args.get('s')?.[0] ?? '', frames: null }, requestAnswer(request), true);
    return NOT_DONE_YET;
  }

  /**
   * Answers a poll another server forwarded here (see {@link RemotePolling}), as if it had come here; false,
   * without answering, when neither the page it opens nor the connection it names is here.
   */
  answerForwarded(poll: ForwardedPoll, answer: PollAnswer): boolean {
    const here = poll.s === 'new' ? this.pages.connection(helloPage(poll.frames, this.pages.maxFrameSize) ?? '') !== undefined : this.#sockets.has(poll.s);
    if (here) this.#handle(poll, answer, false);
    return here;
  }

  #handle(poll: ForwardedPoll, answer: PollAnswer, mayForward: boolean): void {
    if (poll.s === 'new') return this.#open(poll.frames, answer, mayForward);
    const socket = this.#sockets.get(poll.s);
    if (socket === undefined) {
      if (!(mayForward && this.options.remote?.forward(poll.s, poll, answer))) answer.send(410, null);
    } else if (poll.method === 'GET') socket.poll(answer);
    else if (poll.frames === null) answer.send(400, null);
    else {
      socket.frames(poll.frames);
      answer.send(200, {});
    }
  }

  /** `s=new`: a socket only for a well-formed HELLO naming a live page, and only while there is room. */
  #open(frames: string[] | null, answer: PollAnswer, mayForward: boolean): void {
    const pageId = helloPage(frames, this.pages.maxFrameSize);
    if (pageId === null) return answer.send(400, null);
    const page = this.pages.connection(pageId);
    if (page === undefined && mayForward && this.options.remote?.forward(pageId, { method: 'POST', s: 'new', frames }, answer)) return;
    if (page === undefined || page.isGone) return answer.send(200, { gone: 'no such page' });
    if (this.#sockets.size >= (this.options.maxSockets ?? DEFAULT_LIVE_LIMITS.maxPollingSockets)) return answer.send(503, null, 5);
    const socket = new PollingSocket((this.options.remote?.idPrefix ?? '') + randomId(), this.pages, this.options, (x) => this.#sockets.delete(x.id));
    this.#sockets.set(socket.id, socket);
    socket.frames(frames!);
    answer.send(200, { s: socket.id });
  }
}

/** The page a HELLO (the first of `frames`) names, or null when there is no well-formed HELLO. */
function helloPage(frames: string[] | null, maxFrameSize: number): string | null {
  try {
    const hello = frames !== null && frames.length > 0 ? decodeFrame(frames[0]!, maxFrameSize) : null;
    if (hello !== null && hello[0] === HELLO && hello.length === 3) return hello[1];
  } catch (e) {
    if (!(e instanceof LiveProtocolError)) throw e;
  }
  return null;
}
