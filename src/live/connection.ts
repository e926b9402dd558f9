/**
 * `LiveConnection`: the server's state for one loaded page (one browser tab): its widgets, the reliable
 * session to the page, and the transport connection currently carrying it. It outlives dropped connections
 * for the page's grace period.
 *
 * Everything the server holds for the page (its session's queues, its pending calls, frames queued by its
 * transport) is charged to the page's {@link MemoryBudget}, which draws on its address's and the process's:
 * a page whose charge is refused is dropped, so a page that never acknowledges, never answers or sends
 * frames out of order costs at most `maxPageBytes`.
 * @module
 */
import { Deferred, type Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { flattenString } from '../template/index.js';
import { MemoryBudget, type MemoryBudgetOptions } from './shared/budget.js';
import { cancelTimer } from './shared/timers.js';
import { PageGone, LiveProtocolError } from './shared/errors.js';
import { GONE, encodeGone, encodeWelcome, type Frame, type SharedMessage } from './shared/frames.js';
import type { IReactorTime, IDelayedCall } from '../time/interfaces.js';
import type { LiveLimits } from './shared/limits.js';
import { encodeLimited, RemoteCalls, type Builtin, type RemoteCallsOptions } from './shared/rpc.js';
import { ReliableSession, type ReliableSessionOptions } from './shared/session.js';
import type { HeartbeatTicker } from './shared/ticker.js';
import type { AckScheduler } from './shared/acks.js';
import type { LiveElement } from './element.js';
import { STALLED } from './endpoint.js';
import type { FrameSocket, WidgetInfo } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.live.connection' });

/** The settings a connection takes from its `LivePage`. */
export interface LiveConnectionSettings {
  clock: IReactorTime;
  gracePeriod: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  /** Runs the heartbeats of all the page's sessions on one timer, when heartbeats are on. */
  ticker?: HeartbeatTicker;
  /** Times the delayed ACKs of all the page's sessions on one timer (its `early` at most {@link ACK_DELAY}). */
  acks?: AckScheduler;
  limits: LiveLimits;
  /** Registers the browser module of a class (called as widgets render). */
  registerModule(jsClass: string, module: string | URL | null): boolean;
  /** Called once the connection is gone, so the page forgets it. */
  forget(connection: LiveConnection): void;
  /** Starts every page id (the server's, when several serve one address: see `RemotePolling`). */
  idPrefix?: string;
}

/** Where a page's memory comes from. */
export interface LiveConnectionPlacement {
  /** The budget the page's budget draws on (its address's, or the process's), if any. */
  budget: MemoryBudget | null;
  /** The client address the page was loaded from, if known (see `admission.ts`). */
  address: string | null;
}

let counter = 0;

/** `#unsent` of a page with nothing to send: shared, never added to. */
const NO_WIDGETS: WidgetInfo[] = [];

/** `#gone` of a page nobody waits for yet: shared, never added to. */
const NONE_WAITING: Deferred<void>[] = [];

/**
 * Seconds the server waits for a message to the page to carry its acknowledgement before sending a bare ACK
 * (the page waits 0.2 s). A page answering broadcasts slower than that would otherwise get a bare ACK, a
 * write of its own, for each answer; the page holds what it sent that much longer.
 */
export const ACK_DELAY = 1;

/** Methods every page's widgets have in the browser's calls, under reserved names. */
const BUILTINS = Object.freeze({ __detach__: (target: object) => (target as LiveElement).forgetDetached() });

/**
 * The options of a page's session, calls and budget, in one object per page: their callbacks are this
 * class's methods and their settings come from the `LivePage`'s, so a page holds no closure for them.
 */
class PageHooks implements ReliableSessionOptions, RemoteCallsOptions, MemoryBudgetOptions {
  constructor(
    readonly page: LiveConnection,
    readonly settings: LiveConnectionSettings,
  ) {}

  get owner(): string {
    return "the page's";
  }

  get clock(): IReactorTime {
    return this.settings.clock;
  }

  get ticker(): HeartbeatTicker | undefined {
    return this.settings.ticker;
  }

  get acks(): AckScheduler | undefined {
    return this.settings.acks;
  }

  get ackDelay(): number {
    return ACK_DELAY;
  }

  get heartbeatInterval(): number {
    return this.settings.heartbeatInterval;
  }

  get heartbeatTimeout(): number {
    return this.settings.heartbeatTimeout;
  }

  get stallTimeout(): number {
    return this.settings.limits.stallTimeout;
  }

  get maxUnacked(): number {
    return this.settings.limits.maxUnacked;
  }

  get maxAhead(): number {
    return this.settings.limits.maxAhead;
  }

  get maxMessageSize(): number {
    return this.settings.limits.maxMessageSize;
  }

  get maxPending(): number {
    return this.settings.limits.maxPendingCalls;
  }

  get callTimeout(): number {
    return this.settings.limits.callTimeout;
  }

  get budget(): MemoryBudget {
    return this.page.budget;
  }

  get builtins(): Record<string, Builtin> {
    return BUILTINS;
  }

  deliver(payload: unknown): void {
    this.page.payloadReceived(payload);
  }

  onDead(): void {
    this.page.socket?.close('heartbeat timeout');
  }

  onStalled(): void {
    log.info('closing the live connection of page {page}: nothing acknowledged for {seconds} s', { page: this.page.id, seconds: this.stallTimeout });
    this.page.socket?.close(STALLED, true);
  }

  onOverflow(reason: string): void {
    this.page.overflowed(reason);
  }

  onExceeded(reason: string): void {
    this.page.overflowed(reason);
  }

  sendJSON(json: string): void {
    this.page.session.sendJSON(json);
  }

  sendShared(message: SharedMessage): void {
    this.page.session.sendShared(message);
  }

  lookup(widgetId: number): object | undefined {
    return this.page.widget(widgetId);
  }

  /** The error goes back to the page; here it is only worth a note. */
  onLocalError(failure: Failure, widgetId: number, method: string): void {
    log.failure('live call {method} on widget {widgetId} failed', failure, { method, widgetId }, 'info');
  }
}

function newPageId(prefix: string): string {
  const random = new Uint8Array(12);
  globalThis.crypto.getRandomValues(random);
  // One join makes a flat string: a template literal would leave a page holding a tree of string pieces.
  return [prefix + (++counter).toString(36), Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')].join('.');
}

/** One page's live state on the server. */
export class LiveConnection {
  /** The page id: unguessable, sent by the page on every (re)connection. */
  readonly id: string;
  /** The reliable session to the page. */
  readonly session: ReliableSession;
  /** How many transport connections have carried this page (1 + reconnections). */
  attachments = 0;
  /** True once the initial render is done (later widgets are sent to the page). */
  rendered = false;
  readonly #s: LiveConnectionSettings;
  readonly #calls: RemoteCalls;
  /** Widget 1, the root: most pages have no other, and need no map. */
  #root: LiveElement | undefined;
  /** Widgets 2 and up, made with the first of them. */
  #widgets: Map<number, LiveElement> | undefined;
  #unsent: WidgetInfo[] = NO_WIDGETS;
  #nextWidget = 1;
  #socket: FrameSocket | null = null;
  #graceTimer: IDelayedCall | null = null;
  /** Waiting for the page to go (null once gone). */
  #gone: Deferred<void>[] | null = NONE_WAITING;
  /** The request that rendered the page: later widgets render with it too. */
  readonly request: unknown;
  /** What the server holds for this page, against `maxPageBytes`. */
  readonly budget: MemoryBudget;
  /** The client address the page was loaded from, when known. */
  readonly address: string | null;

  constructor(settings: LiveConnectionSettings, root: LiveElement, request: unknown, placement: LiveConnectionPlacement = { budget: null, address: null }) {
    this.#s = settings;
    this.id = newPageId(settings.idPrefix ?? '');
    this.request = request;
    this.address = placement.address;
    const hooks = new PageHooks(this, settings);
    this.budget = new MemoryBudget(settings.limits.maxPageBytes, placement.budget, hooks);
    root.bindPage(this);
    this.session = new ReliableSession(hooks);
    this.#calls = new RemoteCalls(hooks);
    // A page that never connects (a crawler, a flood of GETs) goes long before the grace period would end.
    this.#graceTimer = settings.clock.callLater(settings.limits.connectTimeout, () => {
      this.#graceTimer = null;
      this.disconnect('never connected');
    });
  }

  /** True once the page is gone for good. */
  get isGone(): boolean {
    return this.#gone === null;
  }

  /** True while a transport connection carries the session. */
  get isConnected(): boolean {
    return this.#socket !== null;
  }

  /** The widget with id `id`, if it is on the page. */
  widget(id: number): LiveElement | undefined {
    return id === 1 ? this.#root : this.#widgets?.get(id);
  }

  /** Fires when the page is gone (its grace period ran out after the connection dropped). */
  notifyOnDisconnect(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#gone === null) d.callback(undefined);
    else if (this.#gone === NONE_WAITING) this.#gone = [d];
    else this.#gone.push(d);
    return d;
  }

  /** Internal: gives `element` its widget id as it renders and records what the page needs to build it. */
  registerWidget(element: LiveElement): number {
    if (element.widgetId !== null) return element.widgetId;
    const id = this.#nextWidget++;
    const args = element.getInitialArguments();
    encodeLimited(args, this.#s.limits.maxMessageSize, 'initial arguments');
    const module = this.#s.registerModule(element.jsClass, element.jsModule);
    element.widgetId = id;
    if (id === 1) this.#root = element;
    else (this.#widgets ??= new Map()).set(id, element);
    if (this.#unsent === NO_WIDGETS) this.#unsent = [];
    this.#unsent.push({ id, cls: element.jsClass, parent: element.widgetParent?.widgetId ?? null, args, module });
    return id;
  }

  /** Internal: the widget infos rendered so far and not yet sent to the page, for `root` and its descendants. */
  takeWidgetInfos(root: LiveElement | null): WidgetInfo[] {
    const mine = (id: number): boolean => {
      for (let e: LiveElement | null | undefined = this.widget(id); e; e = e.widgetParent) if (root === null || e === root) return true;
      return false;
    };
    const taken = this.#unsent.filter((w) => mine(w.id));
    const left = this.#unsent.filter((w) => !mine(w.id));
    this.#unsent = left.length === 0 ? NO_WIDGETS : left;
    return taken;
  }

  /** Internal: forgets a detached widget. */
  forgetWidget(id: number): void {
    if (id === 1) this.#root = undefined;
    else this.#widgets?.delete(id);
  }

  /** Internal: renders a child added after the page went live and has the page build it under `parentId`. */
  sendNewWidget(child: LiveElement, parentId: number): Deferred<void> {
    return flattenString(this.request, child).addCallback((html) => {
      const widgets = this.takeWidgetInfos(child);
      return this.callWidget<void>(parentId, '__add__', [{ html, widgets }]);
    });
  }

  /** Internal: calls an exposed method of widget `widgetId` in the page. */
  callWidget<T>(widgetId: number, method: string, args: unknown[]): Deferred<T> {
    return this.#calls.call<T>(widgetId, method, args);
  }

  /** Internal: calls widget `widgetId` with a call encoded once for many pages (see `callRemoteAll`). */
  callWidgetShared<T>(id: number, widgetId: number, method: string, args: unknown[], argsLength: number, message: SharedMessage): Deferred<T> {
    return this.#calls.callShared<T>(id, widgetId, method, args, argsLength, message);
  }

  /** Internal: the session delivered a payload from the page. */
  payloadReceived(payload: unknown): void {
    this.#calls.handle(payload);
  }

  /** Internal: the page broke a limit (see `#drop`). */
  overflowed(reason: string): void {
    this.#drop(reason);
  }

  /** Internal: a transport connection said HELLO for this page. */
  attach(socket: FrameSocket, peerLastReceived: number): void {
    if (this.#gone === null) throw new PageGone('page is gone');
    if (this.blocked) {
      socket.close('blocked');
      return;
    }
    const old = this.#socket;
    this.#socket = socket;
    if (old !== null && old !== socket) old.close('replaced by a newer connection');
    cancelTimer(this.#graceTimer);
    this.#graceTimer = null;
    this.attachments++;
    socket.sendFrame(encodeWelcome(this.session.lastReceived));
    this.session.attach(socket, peerLastReceived);
  }

  /** Internal: `socket`'s transport cannot take more frames for now (the page is not reading fast enough). */
  sendingPaused(socket: FrameSocket): void {
    if (socket === this.#socket) this.session.pauseSending();
  }

  /** Internal: `socket`'s transport has room again. */
  sendingResumed(socket: FrameSocket): void {
    if (socket === this.#socket) this.session.resumeSending();
  }

  /** Internal: a frame (after HELLO) arrived on `socket`. */
  frameReceived(socket: FrameSocket, frame: Frame): void {
    if (socket !== this.#socket) return;
    if (frame[0] === GONE) {
      this.disconnect(`closed by the page: ${frame[1]}`);
      return;
    }
    try {
      this.session.receive(frame);
    } catch (e) {
      if (!(e instanceof LiveProtocolError)) throw e;
      log.warn('page {page} broke the protocol: {error}', { page: this.id, error: e.message });
      socket.close('protocol error');
    }
  }

  /** Internal: `socket` is closed. */
  socketLost(socket: FrameSocket): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.session.detach();
    if (this.#gone !== null) this.#startGrace();
  }

  /** The transport connection carrying the session now, if any. */
  get socket(): FrameSocket | null {
    return this.#socket;
  }

  /**
   * While true, new transport connections for this page are closed at once, as if the network were down
   * (the page keeps retrying with back-off). For tests.
   */
  blocked = false;

  /** Closes the transport connection now, as a network failure would (the page reconnects). For tests. */
  dropTransport(): void {
    this.#socket?.close('dropped');
  }

  /** Ends the page for good: pending calls fail with `PageGone`, `notifyOnDisconnect` fires, the page is told. */
  disconnect(reason = 'page closed by the server'): void {
    this.#end(reason, false);
  }

  #end(reason: string, abort: boolean): void {
    const waiting = this.#gone;
    if (waiting === null) return;
    this.#gone = null;
    cancelTimer(this.#graceTimer);
    const socket = this.#socket;
    this.#socket = null;
    this.session.close();
    if (socket !== null) {
      socket.sendFrame(encodeGone(reason));
      socket.close(reason, abort);
    }
    this.#calls.failAll(new PageGone(`page is gone: ${reason}`));
    this.budget.close();
    this.#s.forget(this);
    log.debug('page {page} gone: {reason}', { page: this.id, reason });
    for (const d of waiting) d.callback(undefined);
  }

  /**
   * The page broke a limit: it goes, with a note saying which and where from. Its connection is aborted: a
   * page over its budget is not reading or is misbehaving, and a close handshake would keep it (and let it
   * send more) for seconds.
   */
  #drop(reason: string): void {
    if (this.#gone === null) return;
    log.warn('dropping live page {page} from {address}: {reason}', { page: this.id, address: this.address ?? 'unknown', reason });
    this.#end(reason, true);
  }

  #startGrace(): void {
    cancelTimer(this.#graceTimer);
    this.#graceTimer = this.#s.clock.callLater(this.#s.gracePeriod, () => {
      this.#graceTimer = null;
      this.disconnect('grace period over');
    });
  }
}
