/**
 * `LiveClient`: the page's end of a live connection, without the DOM (so it also runs in Node). It keeps
 * the reliable session, opens links (WebSocket first, long polling as the fallback), reconnects with
 * back-off after drops, dispatches calls to widgets, and gives up when the server says the page is gone
 * or the grace period has passed without a connection.
 *
 * Events (it is an `EventTarget`): `connected`, `disconnected`, `gone` (a `CustomEvent` whose `detail` is
 * the reason).
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { cancelTimer } from '../shared/timers.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { PageGone, LiveProtocolError } from '../shared/errors.js';
import { GONE, HELLO, decodeFrame, encodeGone, encodeHello } from '../shared/frames.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';
import { DEFAULT_LIVE_LIMITS } from '../shared/limits.js';
import { RemoteCalls, type Builtin } from '../shared/rpc.js';
import { ReliableSession } from '../shared/session.js';
import { PollingLink, WebSocketLink, type Link, type WebSocketConstructor } from './links.js';

/** Where and how to connect: the server's boot data, plus what the host provides. */
export interface LiveClientOptions {
  /** The page id. */
  page: string;
  /** URL prefix of the live endpoints (`/chat/_live/`, or absolute in Node). */
  base: string;
  transports?: ('websocket' | 'polling')[];
  heartbeatInterval?: number;
  heartbeatTimeout?: number;
  /** Seconds after which an unreachable server has forgotten the page anyway (default 60). */
  gracePeriod?: number;
  maxMessageSize?: number;
  /** WebSocket implementation (default the global one; `ws` in Node). */
  WebSocket?: WebSocketConstructor;
  /** `fetch` for long polling (default the global one). */
  fetch?: typeof fetch;
  /** Where its timers run: the environment's reactor by default (the page's), or a test `Clock`. */
  clock?: IReactorTime;
  /** First reconnection delay in seconds (default 0.1); it doubles up to `maxReconnectDelay` (default 5). */
  reconnectDelay?: number;
  maxReconnectDelay?: number;
  /** Failed WebSocket openings in a row before falling back to long polling (default 2). */
  websocketAttempts?: number;
}

/** The page side of one live page's connection. */
export class LiveClient extends EventTarget {
  readonly session: ReliableSession;
  readonly options: LiveClientOptions;
  /** `connecting`, `connected`, `disconnected` (waiting to reconnect), `gone` or `closed`. */
  state: 'connecting' | 'connected' | 'disconnected' | 'gone' | 'closed' = 'disconnected';
  /** The transport in use or last used. */
  transport: 'websocket' | 'polling';
  readonly #widgets = new Map<number, object>();
  readonly #builtins: Record<string, Builtin> = {};
  readonly #calls: RemoteCalls;
  readonly #clock: IReactorTime;
  #link: Link | null = null;
  #welcomed = false;
  #retry: IDelayedCall | null = null;
  #openTimer: IDelayedCall | null = null;
  #delay: number;
  #wsFailures = 0;
  #disconnectedSince: number | null = null;
  readonly #maxFrameSize: number;
  #held: Promise<unknown> | null = null;
  #backlog: unknown[] = [];

  constructor(options: LiveClientOptions) {
    super();
    this.options = options;
    this.#clock = options.clock ?? defaultReactor();
    this.#delay = options.reconnectDelay ?? 0.1;
    this.#maxFrameSize = (options.maxMessageSize ?? DEFAULT_LIVE_LIMITS.maxMessageSize) + 1024;
    const transports = options.transports ?? ['websocket', 'polling'];
    this.transport = transports[0] ?? 'websocket';
    this.session = new ReliableSession({
      clock: this.#clock,
      heartbeatInterval: options.heartbeatInterval,
      heartbeatTimeout: options.heartbeatTimeout,
      deliver: (payload) => this.#deliver(payload),
      onDead: () => this.#link?.close('heartbeat timeout'),
      onOverflow: (reason) => this.#gone(reason),
    });
    this.#calls = new RemoteCalls({
      sendJSON: (json) => this.session.sendJSON(json),
      lookup: (id) => this.#widgets.get(id),
      builtins: this.#builtins,
      maxMessageSize: options.maxMessageSize ?? DEFAULT_LIVE_LIMITS.maxMessageSize,
      onLocalError: (f: Failure, widgetId, method) => console.warn(`live: ${method} on widget ${widgetId} failed:`, f.value),
    });
  }

  /** Registers a local widget (any object with exposed methods) under its id. */
  registerWidget(id: number, widget: object): void {
    this.#widgets.set(id, widget);
  }

  /** Forgets a local widget. */
  forgetWidget(id: number): void {
    this.#widgets.delete(id);
  }

  /** The local widget with id `id`. */
  widget(id: number): object | undefined {
    return this.#widgets.get(id);
  }

  /** Adds a method the server may call on any widget by a reserved name (`__add__`, `__detach__`). */
  setBuiltin(name: string, fn: Builtin): void {
    this.#builtins[name] = fn;
  }

  /**
   * Holds the delivery of later messages until `work` settles: a widget being built (its module loading)
   * must exist before the calls that follow it are dispatched.
   */
  holdDeliveries(work: Promise<unknown>): void {
    const held = work.then(
      () => undefined,
      () => undefined,
    );
    this.#held = held;
    void held.then(() => {
      if (this.#held !== held) return;
      this.#held = null;
      while (this.#backlog.length > 0 && this.#held === null) this.#dispatch(this.#backlog.shift());
    });
  }

  /** Calls an exposed method of server widget `widgetId`. */
  callRemote<T = unknown>(widgetId: number, method: string, args: unknown[]): Deferred<T> {
    return this.#calls.call<T>(widgetId, method, args);
  }

  /** Opens the first connection. */
  start(): this {
    if (this.state === 'disconnected' && this.#link === null) this.#open();
    return this;
  }

  /** Closes the current link as a network failure would; the client reconnects. For tests. */
  dropConnection(): void {
    this.#link?.close('dropped');
  }

  /** Stops for good (no reconnection) and tells the server the page is closed; pending calls fail with `PageGone`. */
  close(): void {
    if (this.state === 'gone' || this.state === 'closed') return;
    if (this.state === 'connected') this.#link?.sendFrame(encodeGone('page closed'));
    this.state = 'closed';
    this.#shutdown(new PageGone('client closed'));
  }

  #deliver(payload: unknown): void {
    if (this.#held !== null) this.#backlog.push(payload);
    else this.#dispatch(payload);
  }

  #dispatch(payload: unknown): void {
    try {
      this.#calls.handle(payload);
    } catch (e) {
      if (!(e instanceof LiveProtocolError)) throw e;
      this.#link?.close('protocol error');
    }
  }

  #open(): void {
    this.state = 'connecting';
    this.#welcomed = false;
    // An opening that hangs (a stalled network) counts as a failure after a heartbeat timeout.
    cancelTimer(this.#openTimer);
    this.#openTimer = this.#clock.callLater(this.options.heartbeatTimeout ?? 30, () => {
      this.#openTimer = null;
      if (!this.#welcomed && this.#link === link) link.close('connection timed out');
    });
    const handlers = {
      opened: () => link.sendFrame(encodeHello(this.options.page, this.session.lastReceived)),
      frame: (text: string) => this.#frame(link, text),
      closed: (reason: string) => this.#closed(link, reason),
    };
    const kind = this.transport;
    const link: Link =
      kind === 'websocket'
        ? new WebSocketLink(this.options.base, this.options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor), handlers)
        : new PollingLink(this.options.base, this.options.fetch ?? globalThis.fetch.bind(globalThis), this.#clock, handlers, this.#maxFrameSize);
    this.#link = link;
  }

  #frame(link: Link, text: string): void {
    if (link !== this.#link) return;
    try {
      const frame = decodeFrame(text, this.#maxFrameSize);
      if (frame[0] === GONE) return this.#gone(frame[1]);
      if (!this.#welcomed) {
        if (frame[0] !== HELLO || frame.length !== 2) throw new LiveProtocolError('expected WELCOME');
        this.#welcomed = true;
        cancelTimer(this.#openTimer);
        this.#openTimer = null;
        this.#wsFailures = 0;
        this.#delay = this.options.reconnectDelay ?? 0.1;
        this.#disconnectedSince = null;
        this.state = 'connected';
        this.session.attach(link, frame[1]);
        this.dispatchEvent(new CustomEvent('connected', { detail: this.transport }));
        return;
      }
      this.session.receive(frame);
    } catch (e) {
      if (!(e instanceof LiveProtocolError)) throw e;
      link.close(`protocol error: ${e.message}`);
    }
  }

  #closed(link: Link, reason: string): void {
    if (link !== this.#link) return;
    this.#link = null;
    this.session.detach();
    if (this.state === 'gone' || this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'disconnected';
    if (wasConnected) this.dispatchEvent(new CustomEvent('disconnected', { detail: reason }));
    const now = this.#clock.seconds();
    this.#disconnectedSince ??= now;
    if (now - this.#disconnectedSince > (this.options.gracePeriod ?? 60)) return this.#gone('the server could not be reached');
    // A WebSocket that never got as far as WELCOME: something on the path blocks WebSockets.
    if (this.transport === 'websocket' && !this.#welcomed && ++this.#wsFailures >= (this.options.websocketAttempts ?? 2) && (this.options.transports ?? ['websocket', 'polling']).includes('polling')) {
      this.transport = 'polling';
    }
    const delay = this.#delay * (0.8 + Math.random() * 0.4);
    this.#delay = Math.min(this.#delay * 2, this.options.maxReconnectDelay ?? 5);
    this.#retry = this.#clock.callLater(delay, () => {
      this.#retry = null;
      if (this.state === 'disconnected') this.#open();
    });
  }

  #gone(reason: string): void {
    if (this.state === 'gone' || this.state === 'closed') return;
    this.state = 'gone';
    this.#shutdown(new PageGone(`page is gone: ${reason}`));
    this.dispatchEvent(new CustomEvent('gone', { detail: reason }));
  }

  #shutdown(error: Error): void {
    cancelTimer(this.#retry);
    cancelTimer(this.#openTimer);
    const link = this.#link;
    this.#link = null;
    link?.close('closed');
    this.session.close();
    this.#calls.failAll(error);
  }
}
