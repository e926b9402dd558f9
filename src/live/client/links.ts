/**
 * The page's transports: a WebSocket, or long polling over `fetch`. Each is a "link" that opens, carries
 * text frames both ways, and closes once; the `LiveClient` makes a new one after every drop.
 * @module
 */
import { encodeGone } from '../shared/frames.js';
import type { IReactorTime } from '../../time/interfaces.js';
import type { SessionLink } from '../shared/session.js';
import { DEFAULT_LIVE_LIMITS } from '../shared/limits.js';

/** What a link tells its owner. `closed` comes exactly once, also when the link never opened. */
export interface LinkHandlers {
  opened(): void;
  frame(text: string): void;
  closed(reason: string): void;
}

/** One transport connection from the page; the session writes to it as its {@link SessionLink}. */
export interface Link extends SessionLink {
  /** True once `opened` was called. */
  readonly isOpen: boolean;
  /** Sends a frame (queued until open for polling). */
  sendFrame(frame: string): void;
  /** Closes it; `closed` follows at once. */
  close(reason: string): void;
}

/** The constructor of a WebSocket (the browser's, or the `ws` package's in Node). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** The live endpoint `path` under `base`, as an absolute URL (ws/wss for WebSockets). */
export function endpointURL(base: string, path: string, websocket: boolean): string {
  const href = (globalThis as { location?: { href: string } }).location?.href;
  const url = new URL(base + path, href);
  if (websocket) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** A link over one WebSocket. */
export class WebSocketLink implements Link {
  isOpen = false;
  #done = false;
  readonly #ws: WebSocket;

  constructor(base: string, Ctor: WebSocketConstructor, readonly handlers: LinkHandlers) {
    this.#ws = new Ctor(endpointURL(base, 'ws', true));
    this.#ws.onopen = () => {
      if (this.#done) return;
      this.isOpen = true;
      handlers.opened();
    };
    this.#ws.onmessage = (e: MessageEvent) => {
      if (!this.#done && typeof e.data === 'string') handlers.frame(e.data);
    };
    this.#ws.onclose = (e: CloseEvent) => this.#finish(`websocket closed (${e.code})`);
    this.#ws.onerror = () => undefined; // `close` follows
  }

  sendFrame(frame: string): void {
    if (!this.#done && this.isOpen) this.#ws.send(frame);
  }

  close(reason: string): void {
    try {
      this.#ws.close();
    } catch {
      // already closing
    }
    this.#finish(reason);
  }

  #finish(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#ws.onopen = this.#ws.onmessage = this.#ws.onclose = null;
    this.handlers.closed(reason);
  }
}

/** A virtual connection over HTTP long polling (see the server's `polling.ts`). */
export class PollingLink implements Link {
  isOpen = false;
  #done = false;
  #id: string | null = null;
  #queue: string[] = [];
  #posting = false;
  #pollAbort: AbortController | null = null;
  readonly #url: string;

  /**
   * @param maxBatch characters of frames one POST carries at most (one larger frame goes alone): the server
   *   refuses bodies of more than a few frames.
   */
  constructor(base: string, readonly fetchFn: typeof fetch, clock: IReactorTime, readonly handlers: LinkHandlers, readonly maxBatch: number = DEFAULT_LIVE_LIMITS.maxMessageSize) {
    this.#url = endpointURL(base, 'poll', false);
    clock.callLater(0, () => {
      if (this.#done) return;
      this.isOpen = true;
      handlers.opened();
    });
  }

  sendFrame(frame: string): void {
    if (this.#done) return;
    this.#queue.push(frame);
    this.#post();
  }

  close(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    // Only the waiting GET is cut: a POST in flight (a last message, a GONE) still goes out.
    this.#pollAbort?.abort();
    this.handlers.closed(reason);
  }

  async #request(query: string, init: RequestInit, signal?: AbortSignal): Promise<unknown> {
    const response = await this.fetchFn(`${this.#url}?${query}`, { ...init, signal, cache: 'no-store' });
    if (response.status === 410) throw new Error('closed by the server');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  }

  #post(): void {
    if (this.#posting || this.#done || this.#queue.length === 0) return;
    this.#posting = true;
    let n = 1;
    for (let size = this.#queue[0]!.length; n < this.#queue.length && size + this.#queue[n]!.length <= this.maxBatch; n++) size += this.#queue[n]!.length;
    const frames = this.#queue.splice(0, n);
    const first = this.#id === null;
    const body = JSON.stringify(frames);
    // keepalive lets a last POST outlive the page, but browsers cap such bodies at 64 KiB.
    this.#request(`s=${first ? 'new' : this.#id}`, { method: 'POST', body, keepalive: body.length < 60_000, headers: { 'Content-Type': 'application/json' } }).then(
      (answer) => {
        this.#posting = false;
        if (first) {
          const gone = (answer as { gone?: unknown }).gone;
          if (typeof gone === 'string') {
            this.handlers.frame(encodeGone(gone)); // the server has no such page
            return;
          }
          this.#id = String((answer as { s: string }).s);
          void this.#pollLoop();
        }
        this.#post();
      },
      (e: Error) => this.close(`poll send failed: ${e.message}`),
    );
  }

  async #pollLoop(): Promise<void> {
    while (!this.#done) {
      let frames: unknown;
      try {
        this.#pollAbort = new AbortController();
        frames = await this.#request(`s=${this.#id}`, { method: 'GET' }, this.#pollAbort.signal);
      } catch (e) {
        this.close(`poll failed: ${(e as Error).message}`);
        return;
      }
      if (!Array.isArray(frames)) {
        this.close('poll closed');
        return;
      }
      for (const f of frames) if (!this.#done && typeof f === 'string') this.handlers.frame(f);
    }
  }
}
