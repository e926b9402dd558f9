/**
 * `Site`: the factory of HTTP channels, holding the resource tree, the limits, the timeouts, the sessions
 * and the access log (Twisted's `web.server.Site`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Deferred, Failure } from '../defer/index.js';
import type { IAddress, IDelayedCall, IReactorTime } from '../internet/interfaces.js';
import { Factory } from '../internet/protocol.js';
import { reactor } from '../internet/reactor.js';
import { HTTPChannel, Timeout } from './channel.js';
import type { IResource } from './interfaces.js';
import { accessLog } from './log.js';
import { siteRequest, type SiteRequestOptions, type SiteResponse } from './site-request.js';
import type { Request } from './request.js';
import { Session } from './session.js';
import { isThenable } from '../defer/thenable.js';
import { SITE_LIMITS, SITE_TIMEOUTS } from './limits.js';

/** Timeouts, in seconds (0 disables one), and the request body's minimum rate. */
export interface SiteTimeouts {
  /** An idle keep-alive connection is closed after this long (default 60). */
  idle: number;
  /** A request head must arrive within this long of its first byte (slowloris; default 30). */
  headers: number;
  /** A request body may pause this long between pieces (default 60). */
  body: number;
  /**
   * The whole request body must arrive within this long of the resource starting to read it (default 60),
   * plus one second for every `minBodyRate` bytes that arrive; time the resource holds the body paused does
   * not count. A body trickling a byte every few seconds is cut (408) however steadily it trickles, while an
   * upload of any size that keeps up `minBodyRate` on average is never cut.
   */
  bodyDeadline: number;
  /** Bytes per second that extend `bodyDeadline` by a second each (default 1024; 0: a fixed deadline). */
  minBodyRate: number;
}

/** Options of a {@link Site}. */
export interface SiteOptions {
  /** Show tracebacks on 500 pages (never in production). */
  debug?: boolean;
  /** The clock timeouts and sessions run on (default: the reactor; a `Clock` in tests). */
  clock?: IReactorTime;
  /** Largest body buffered into `request.content` (default 10 MiB); bigger gets 413. */
  maxBodySize?: number;
  /** Largest request head, request line included (default 16 KiB); bigger gets 431. */
  maxHeadSize?: number;
  /** Longest request line (default 8 KiB); longer gets 414. */
  maxRequestLine?: number;
  /** Most header fields (default 100); more gets 431. */
  maxHeaderCount?: number;
  timeouts?: Partial<SiteTimeouts>;
  /** Session lifetime without use, in seconds (default 900). */
  sessionTimeout?: number;
  /** The session cookie's name (default `TORSION_SESSION`). */
  sessionCookieName?: string;
  /**
   * The access log: true (default) logs each response in combined log format to `torsion.web.access`;
   * false turns it off; a function receives each line instead.
   */
  accessLog?: boolean | ((line: string, request: Request) => void);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let clfSecond = -1;
let clfCached = '';

/** The current time in common log format, recomputed at most once a second. */
function clfDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== clfSecond) {
    const d = new Date(now);
    const p = (n: number) => String(n).padStart(2, '0');
    clfSecond = second;
    clfCached = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  }
  return clfCached;
}

function quoted(s: string | null): string {
  return s === null ? '-' : s.replace(/["\\]/g, '\\$&');
}

/**
 * Serves a resource tree over HTTP/1.1. Listen with it like any factory.
 *
 * @example
 * const site = new Site(root, { timeouts: { idle: 30 } });
 * reactor.listenTCP(8080, site);
 * // in a test, no socket:
 * const res = await site.request('GET', '/hello');
 */
export class Site extends Factory<HTTPChannel> {
  /** The root of the resource tree. */
  resource: IResource;
  debug: boolean;
  clock: IReactorTime;
  maxBodySize: number;
  maxHeadSize: number;
  maxRequestLine: number;
  maxHeaderCount: number;
  timeouts: SiteTimeouts;
  sessionTimeout: number;
  sessionCookieName: string;
  accessLog: boolean | ((line: string, request: Request) => void);
  /** Live sessions by uid. */
  readonly sessions = new Map<string, Session>();
  /** The clock's time as of the last timeout sweep (coarse on purpose: no clock read per request). */
  now: number;
  readonly #channels = new Set<HTTPChannel>();
  #sweeper: IDelayedCall | null = null;

  constructor(resource: IResource, options: SiteOptions = {}) {
    super();
    this.resource = resource;
    this.debug = options.debug ?? false;
    this.clock = options.clock ?? reactor;
    this.maxBodySize = options.maxBodySize ?? SITE_LIMITS.maxBodySize;
    this.maxHeadSize = options.maxHeadSize ?? SITE_LIMITS.maxHeadSize;
    this.maxRequestLine = options.maxRequestLine ?? SITE_LIMITS.maxRequestLine;
    this.maxHeaderCount = options.maxHeaderCount ?? SITE_LIMITS.maxHeaderCount;
    this.timeouts = { ...SITE_TIMEOUTS, ...options.timeouts };
    this.sessionTimeout = options.sessionTimeout ?? 900;
    this.sessionCookieName = options.sessionCookieName ?? 'TORSION_SESSION';
    this.accessLog = options.accessLog ?? true;
    this.now = this.clock.seconds();
  }

  override buildProtocol(_addr: IAddress): HTTPChannel {
    const channel = new HTTPChannel(this);
    channel.factory = this;
    return channel;
  }

  /** The open HTTP connections (one upgraded to another protocol, a WebSocket, is no longer the site's). */
  get channels(): ReadonlySet<HTTPChannel> {
    return this.#channels;
  }

  /**
   * Sends one request through an in-memory connection and returns the response (no socket). For tests.
   *
   * @example
   * const res = await site.request('POST', '/form', { headers: { 'content-type': 'text/plain' }, body: 'hi' });
   * assert.equal(res.code, 200);
   */
  request(method: string, path: string, options: SiteRequestOptions = {}): Promise<SiteResponse> {
    return siteRequest(this, method, path, options);
  }

  // ---------------------------------------------------------------- sessions

  /** Creates a session with a fresh random uid. */
  makeSession(): Session {
    const uid = randomBytes(20).toString('hex');
    const session = new Session(uid, this.clock, this.sessionTimeout, (id) => this.sessions.delete(id));
    this.sessions.set(uid, session);
    return session;
  }

  /** The live session with `uid`, if any. */
  getSession(uid: string): Session | undefined {
    const session = this.sessions.get(uid);
    if (session !== undefined && session.isStale()) {
      session.expire();
      return undefined;
    }
    return session;
  }

  /** Expires the sessions unused for longer than their timeout. */
  expireSessions(): void {
    if (this.sessions.size === 0) return;
    const now = this.clock.seconds();
    for (const session of this.sessions.values()) if (session.isStale(now)) session.expire();
  }

  // ---------------------------------------------------------------- driven by channels

  /** @internal walks the tree for `request`, waiting on `getChild`s that return Promises or Deferreds. */
  dispatch(request: Request, declaredLength: number): void {
    this.#walk(request, this.resource, declaredLength);
  }

  #walk(request: Request, resource: IResource, declaredLength: number): void {
    try {
      while (!resource.isLeaf) {
        const segment = request.nextSegment();
        if (segment === undefined) break;
        const next = resource.getChildWithDefault(segment, request);
        // A resource is no thenable: one test of `then` spares it the prototype walk of `instanceof`.
        if (isThenable(next)) {
          if (next instanceof Deferred) {
            (next as Deferred<IResource>).addCallbacks(
              (r) => this.#walk(request, r, declaredLength),
              (f: Failure) => request.processingFailed(f),
            );
          } else {
            next.then(
              (r) => this.#walk(request, r, declaredLength),
              (e) => request.processingFailed(e instanceof Failure ? e : new Failure(e)),
            );
          }
          return;
        }
        resource = next;
      }
    } catch (e) {
      request.processingFailed(new Failure(e));
      return;
    }
    request.resourceFound(resource, declaredLength);
  }

  /** @internal */
  channelOpened(channel: HTTPChannel): void {
    this.#channels.add(channel);
    if (this.#sweeper === null) {
      this.now = this.clock.seconds();
      this.#sweeper = this.clock.callLater(1, () => this.#sweep());
    }
    channel.timeoutKind = Timeout.IDLE;
    channel.deadline = this.timeouts.idle > 0 ? this.now + this.timeouts.idle : 0;
  }

  /** @internal */
  channelClosed(channel: HTTPChannel): void {
    this.#channels.delete(channel);
    if (this.#channels.size === 0 && this.#sweeper !== null) {
      if (this.#sweeper.active()) this.#sweeper.cancel();
      this.#sweeper = null;
    }
  }

  /** One timer for all connections: each second, close those whose deadline has passed. */
  #sweep(): void {
    this.#sweeper = null;
    const now = (this.now = this.clock.seconds());
    for (const ch of this.#channels) {
      if (ch.deadline !== 0 && ch.deadline <= now) ch.timedOut();
    }
    this.expireSessions();
    if (this.#channels.size > 0 && this.#sweeper === null) this.#sweeper = this.clock.callLater(1, () => this.#sweep());
  }

  /** @internal writes the access log line for a finished request. */
  logAccess(request: Request, channel: HTTPChannel): void {
    const sink = this.accessLog;
    if (sink === false) return;
    const peer = channel.transport.getPeer() as { host?: string };
    const line = `${peer.host ?? '-'} - - [${clfDate()}] "${quoted(`${request.method} ${request.uri} ${request.clientproto}`)}" ${request.code} ${request.sentLength > 0 ? request.sentLength : '-'} "${quoted(request.getHeader('referer'))}" "${quoted(request.getHeader('user-agent'))}"`;
    if (typeof sink === 'function') sink(line, request);
    else accessLog.info('{line}', { line });
  }
}
