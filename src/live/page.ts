/**
 * `LivePage`: the `torsion/web` resource that serves live pages (Athena's `LivePage`). Each GET renders a new
 * root `LiveElement` into a document and creates the page's `LiveConnection`; the page's children serve the
 * client runtime, the widget modules, the WebSocket endpoint and the long-polling endpoints.
 *
 * Every limit a visitor can push against is in `options.limits` (see `shared/limits.ts` for the list and
 * the defaults); `admission.ts` applies the per-address ones.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { reactor } from '../internet/index.js';
import { Logger } from '../logger/index.js';
import { flattenString, raw, type Flattenable } from '../template/index.js';
import { ErrorPage, Resource, NoResource, type IResource, type Request } from '../web/index.js';
import { AddressBook, addressKey, processBudget } from './admission.js';
import { ACK_DELAY, LiveConnection, type LiveConnectionSettings } from './connection.js';
import { defaultDocument, liveHead, type LiveDocumentParts } from './document.js';
import type { LiveElement } from './element.js';
import type { PageDirectory } from './endpoint.js';
import type { BootData } from './interfaces.js';
import { compileRuntime, compileWidgetModule } from './modules.js';
import { PollingResource, type RemotePolling } from './polling.js';
import type { MemoryBudget } from './shared/budget.js';
import type { IReactorTime } from '../time/interfaces.js';
import { resolveLiveLimits, type LiveLimits } from './shared/limits.js';
import { HeartbeatTicker } from './shared/ticker.js';
import { AckScheduler } from './shared/acks.js';
import { liveWebSocketResource } from './websocket.js';
import { TorsionError } from '../errors/index.js';

const log = new Logger({ namespace: 'torsion.live.page' });

/** Options of a {@link LivePage}. */
export interface LivePageOptions {
  /** Makes the root element of each new page load. */
  element: (request: Request | null) => LiveElement;
  /** The document title (default `'Torsion Live'`). */
  title?: string;
  /** Arranges the document; the default is a plain HTML5 page. */
  document?: (parts: LiveDocumentParts) => Flattenable;
  /** Seconds the server keeps a page after its connection drops, or before it first connects (default 60). */
  gracePeriod?: number;
  /** Seconds of silence after which either side sends a heartbeat (default 10; 0 turns heartbeats off). */
  heartbeatInterval?: number;
  /** Seconds without hearing anything after which a connection is dead (default 30). */
  heartbeatTimeout?: number;
  /** Transports the page tries, in order (default WebSocket, then long polling). */
  transports?: ('websocket' | 'polling')[];
  /** Seconds a long-polling GET waits for frames (default 20). */
  pollTimeout?: number;
  /** Sizes, counts, rates and budgets; any left out take their defaults (see {@link LiveLimits}). */
  limits?: Partial<LiveLimits>;
  /**
   * Origins (`https://example.org`) besides the page's own whose pages may use its WebSocket and long
   * polling: for a server that sees another `Host` than the browser does. Others are refused with 403.
   */
  allowedOrigins?: string[];
  /** Browser modules by class name, for classes whose elements do not name their `jsModule`. */
  modules?: Record<string, string | URL>;
  /** Time source (default the reactor). */
  clock?: IReactorTime;
  /** Several servers behind one address: polls for another server's pages are forwarded there. */
  remote?: RemotePolling;
}

/** A page freshly loaded: its connection, the root's markup and the data the runtime boots from. */
export interface LoadedPage {
  connection: LiveConnection;
  html: string;
  boot: BootData;
}

const MODULE_NAME = /^[A-Za-z_$][\w$]*$/;

/** A new page was refused: `maxPages` live pages already. */
export class TooManyPages extends TorsionError {
  override name = 'TooManyPages';
  override readonly code: string = 'TORSION_LIVE_TOO_MANY_PAGES';
  constructor(
    message: string,
    /** Seconds after which trying again may work. */
    readonly retryAfter: number,
  ) {
    super(message);
  }
}

/** A new page was refused because of its client address: too many live pages from it, or made too fast. */
export class TooManyPagesFromAddress extends TooManyPages {
  override name = 'TooManyPagesFromAddress';
  override readonly code = 'TORSION_LIVE_ADDRESS_LIMIT';
}

/**
 * Serves live pages. Put it in a resource tree; every GET of it is a new page with its own root element.
 *
 * @example
 * const root = new Resource();
 * root.putChild('chat', new LivePage({ title: 'Chat', element: () => new ChatRoom(room) }));
 * reactor.listenTCP(8080, new Site(root));
 */
export class LivePage extends Resource implements PageDirectory {
  readonly options: Required<Omit<LivePageOptions, 'document' | 'modules' | 'limits' | 'remote'>> & Pick<LivePageOptions, 'document'>;
  /** The limits in force, defaults filled in. */
  readonly limits: LiveLimits;
  readonly maxFrameSize: number;
  readonly clock: IReactorTime;
  readonly helloTimeout: number;
  readonly stallTimeout: number;
  readonly #connections = new Map<string, LiveConnection>();
  readonly #total: MemoryBudget;
  readonly #addresses: AddressBook;
  readonly #modules = new Map<string, string | URL>();
  readonly #settings: LiveConnectionSettings;
  readonly #assets = new Resource();
  readonly polling: PollingResource;

  constructor(options: LivePageOptions) {
    super();
    const { limits, modules, remote, ...rest } = options;
    this.options = {
      title: 'Torsion Live',
      gracePeriod: 60,
      heartbeatInterval: 10,
      heartbeatTimeout: 30,
      transports: ['websocket', 'polling'],
      pollTimeout: 20,
      clock: reactor,
      allowedOrigins: [],
      ...rest,
    };
    for (const [name, module] of Object.entries(modules ?? {})) this.#registerModule(name, module);
    const o = this.options;
    const l = (this.limits = resolveLiveLimits(limits));
    this.maxFrameSize = l.maxMessageSize + 1024;
    this.clock = o.clock;
    this.helloTimeout = o.heartbeatTimeout;
    this.stallTimeout = l.stallTimeout;
    this.#total = processBudget(l.maxTotalBytes);
    this.#addresses = new AddressBook(l, o.clock, this.#total);
    this.#settings = {
      clock: o.clock,
      gracePeriod: o.gracePeriod,
      heartbeatInterval: o.heartbeatInterval,
      heartbeatTimeout: o.heartbeatTimeout,
      // An ACK may go out half its delay early, as one owed when a broadcast goes out does (see ReliableSession).
      acks: new AckScheduler(o.clock, ACK_DELAY / 2),
      ...(o.heartbeatInterval > 0 ? { ticker: new HeartbeatTicker(o.clock, Math.min(o.heartbeatInterval, o.heartbeatTimeout) / 2) } : {}),
      limits: l,
      registerModule: (name, module) => this.#registerModule(name, module),
      forget: (c) => {
        this.#connections.delete(c.id);
        if (c.address !== null) this.#addresses.release(c.address);
      },
      ...(remote ? { idPrefix: remote.idPrefix } : {}),
    };
    this.polling = new PollingResource(this, {
      clock: o.clock,
      pollTimeout: o.pollTimeout,
      idleTimeout: o.pollTimeout + o.heartbeatTimeout,
      highWater: l.pollHighWater,
      maxSockets: l.maxPollingSockets,
      allowedOrigins: o.allowedOrigins,
      ...(remote ? { remote } : {}),
    });
    this.#assets.putChild('runtime.js', new ScriptResource(() => compileRuntime()));
    this.#assets.putChild('modules', new ModulesResource((name) => this.#modules.get(name)));
    this.#assets.putChild('poll', this.polling);
    this.#assets.putChild('ws', liveWebSocketResource(this, o.allowedOrigins));
  }

  /** The pages currently alive (connected, or within their grace period). */
  get connections(): ReadonlyMap<string, LiveConnection> {
    return this.#connections;
  }

  /** The live page with id `pageId`. */
  connection(pageId: string): LiveConnection | undefined {
    return this.#connections.get(pageId);
  }

  override getChild(segment: string, request: Request): IResource | PromiseLike<IResource> {
    if (segment === '_live') return this.#assets;
    return super.getChild(segment, request);
  }

  /**
   * Makes a new page: builds the root element, renders it, and returns the connection, the markup and the
   * boot data. `renderGET` wraps it in a document; Node clients (benchmarks, tests) can use it directly.
   * Fails with {@link TooManyPages} (or {@link TooManyPagesFromAddress}) when a limit refuses a new page.
   * @param base the URL path of this resource's `_live/` child
   */
  load(request: Request | null, base: string): Deferred<LoadedPage> {
    const l = this.limits;
    if (this.#connections.size >= l.maxPages) return Deferred.fail(new TooManyPages(`${this.#connections.size} live pages already`, Math.ceil(this.options.gracePeriod)));
    const address = request === null ? null : addressKey(request.getClientAddress());
    let budget = this.#total;
    if (address !== null) {
      const admitted = this.#addresses.admit(address);
      if ('reason' in admitted) return Deferred.fail(new TooManyPagesFromAddress(admitted.reason, admitted.retryAfter));
      budget = admitted;
    }
    let root: LiveElement;
    try {
      root = this.options.element(request);
    } catch (e) {
      if (address !== null) this.#addresses.release(address);
      return Deferred.fail(e);
    }
    const connection = new LiveConnection(this.#settings, root, request, { budget, address });
    this.#connections.set(connection.id, connection);
    const o = this.options;
    return flattenString(request, root).addCallbacks(
      (html) => {
        connection.rendered = true;
        const boot: BootData = {
          page: connection.id,
          base,
          transports: o.transports,
          heartbeatInterval: o.heartbeatInterval,
          heartbeatTimeout: o.heartbeatTimeout,
          gracePeriod: o.gracePeriod,
          maxMessageSize: l.maxMessageSize,
          widgets: connection.takeWidgetInfos(null),
        };
        return { connection, html, boot };
      },
      (failure) => {
        connection.disconnect('render failed');
        return failure;
      },
    );
  }

  /** Renders a new page (429 when its address is over its limits, 503 when `maxPages` are alive). */
  renderGET(request: Request): Deferred<string | Uint8Array> {
    const loading = this.load(request, liveBase(request));
    if (loading.called && loading.result instanceof Failure && loading.result.check(TooManyPages)) {
      const refusal = loading.result.value as TooManyPages;
      loading.addErrback(() => undefined);
      request.setHeader('Retry-After', refusal.retryAfter);
      const page = refusal instanceof TooManyPagesFromAddress ? new ErrorPage(429, 'Too Many Requests', 'Too many live pages from your address; try again later.') : new ErrorPage(503, 'Service Unavailable', 'Too many live pages; try again later.');
      return Deferred.succeed(page.render(request));
    }
    return loading.addCallback(({ html, boot }) => {
      const parts: LiveDocumentParts = { title: this.options.title, head: liveHead(boot), body: raw(html) };
      return flattenString(request, (this.options.document ?? defaultDocument)(parts));
    }).addCallback((doc) => {
      request.setHeader('Content-Type', 'text/html; charset=utf-8');
      request.setHeader('Cache-Control', 'no-store');
      return `<!DOCTYPE html>\n${doc}`;
    });
  }

  /** Ends every page (their `notifyOnDisconnect` fire, their browsers are told). */
  close(): void {
    for (const c of [...this.#connections.values()]) c.disconnect('server shutting down');
    this.polling.closeAll();
  }

  #registerModule(name: string, module: string | URL | null): boolean {
    const known = this.#modules.get(name);
    if (module === null) {
      if (known !== undefined) return true;
      if (name === 'Widget') return false;
      throw new Error(`no browser module for jsClass ${JSON.stringify(name)}: set jsModule or the page's modules option`);
    }
    if (!MODULE_NAME.test(name)) throw new Error(`jsClass ${JSON.stringify(name)} is not an identifier`);
    if (known !== undefined && String(known) !== String(module)) throw new Error(`jsClass ${name} has two modules: ${String(known)} and ${String(module)}`);
    this.#modules.set(name, module);
    return true;
  }
}

/** The path of the `_live/` child of the live page `request` rendered. */
function liveBase(request: Request): string {
  const segments = request.prepath.slice();
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return `/${segments.map(encodeURIComponent).join('/')}${segments.length > 0 ? '/' : ''}_live/`;
}

/** Serves JavaScript produced on demand (compiled once, then cached by the compiler). */
class ScriptResource extends Resource {
  override isLeaf = true;
  constructor(readonly source: () => Promise<string>) {
    super();
  }

  renderGET(request: Request): Promise<string> {
    return this.source().then(
      (js) => {
        request.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        request.setHeader('Cache-Control', 'no-cache');
        return js;
      },
      (e: Error) => {
        log.error('compiling browser code failed: {error}', { error: e.message });
        request.setResponseCode(500);
        request.setHeader('Content-Type', 'text/plain; charset=utf-8');
        return 'compile error\n';
      },
    );
  }
}

/** `modules/<jsClass>.js`: the widget modules the page has rendered classes from. */
class ModulesResource extends Resource {
  constructor(readonly lookup: (name: string) => string | URL | undefined) {
    super();
  }

  override getChild(segment: string): IResource {
    const module = segment.endsWith('.js') ? this.lookup(segment.slice(0, -3)) : undefined;
    return module === undefined ? new NoResource() : new ScriptResource(() => compileWidgetModule(module));
  }
}
