/**
 * `LivePage`: the `torsion/web` resource that serves live pages (Athena's `LivePage`). Each GET renders a new
 * root `LiveElement` into a document and creates the page's `LiveConnection`; the page's children serve the
 * client runtime, the widget modules, the WebSocket endpoint and the long-polling endpoints.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { reactor } from '../internet/index.js';
import { Logger } from '../logger/index.js';
import { flattenString, raw, type Flattenable } from '../template/index.js';
import { ErrorPage, Resource, NoResource, type IResource, type Request } from '../web/index.js';
import { LiveConnection, type LiveConnectionSettings } from './connection.js';
import { defaultDocument, liveHead, type LiveDocumentParts } from './document.js';
import type { LiveElement } from './element.js';
import type { PageDirectory } from './endpoint.js';
import type { BootData } from './interfaces.js';
import { compileRuntime, compileWidgetModule } from './modules.js';
import { PollingResource } from './polling.js';
import type { LiveClock } from './shared/interfaces.js';
import { liveWebSocketResource } from './websocket.js';

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
  /** Largest JSON encoding of one call's arguments or result, in characters (default 256 KiB). */
  maxMessageSize?: number;
  /** Most unacknowledged messages to one page before it is dropped (default 10,000). */
  maxUnacked?: number;
  /** Transports the page tries, in order (default WebSocket, then long polling). */
  transports?: ('websocket' | 'polling')[];
  /** Most pages alive at once (connected or in their grace period); beyond it a GET is a 503 (default 10,000). */
  maxPages?: number;
  /** Seconds a long-polling GET waits for frames (default 20). */
  pollTimeout?: number;
  /** Browser modules by class name, for classes whose elements do not name their `jsModule`. */
  modules?: Record<string, string | URL>;
  /** Time source (default the reactor). */
  clock?: LiveClock;
}

/** A page freshly loaded: its connection, the root's markup and the data the runtime boots from. */
export interface LoadedPage {
  connection: LiveConnection;
  html: string;
  boot: BootData;
}

const MODULE_NAME = /^[A-Za-z_$][\w$]*$/;

/** The page has `maxPages` live pages already. */
export class TooManyPages extends Error {
  override name = 'TooManyPages';
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
  readonly options: Required<Omit<LivePageOptions, 'document' | 'modules'>> & Pick<LivePageOptions, 'document'>;
  readonly maxFrameSize: number;
  readonly clock: LiveClock;
  readonly helloTimeout: number;
  readonly #connections = new Map<string, LiveConnection>();
  readonly #modules = new Map<string, string | URL>();
  readonly #settings: LiveConnectionSettings;
  readonly #assets = new Resource();
  readonly polling: PollingResource;

  constructor(options: LivePageOptions) {
    super();
    this.options = {
      title: 'Torsion Live',
      gracePeriod: 60,
      heartbeatInterval: 10,
      heartbeatTimeout: 30,
      maxMessageSize: 256 * 1024,
      maxUnacked: 10_000,
      maxPages: 10_000,
      transports: ['websocket', 'polling'],
      pollTimeout: 20,
      clock: reactor,
      ...options,
    };
    for (const [name, module] of Object.entries(options.modules ?? {})) this.#registerModule(name, module);
    const o = this.options;
    this.maxFrameSize = o.maxMessageSize + 1024;
    this.clock = o.clock;
    this.helloTimeout = o.heartbeatTimeout;
    this.#settings = {
      clock: o.clock,
      gracePeriod: o.gracePeriod,
      heartbeatInterval: o.heartbeatInterval,
      heartbeatTimeout: o.heartbeatTimeout,
      maxMessageSize: o.maxMessageSize,
      maxUnacked: o.maxUnacked,
      registerModule: (name, module) => this.#registerModule(name, module),
      forget: (c) => this.#connections.delete(c.id),
    };
    this.polling = new PollingResource(this, { clock: o.clock, pollTimeout: o.pollTimeout, idleTimeout: o.pollTimeout + o.heartbeatTimeout });
    this.#assets.putChild('runtime.js', new ScriptResource(() => compileRuntime()));
    this.#assets.putChild('modules', new ModulesResource((name) => this.#modules.get(name)));
    this.#assets.putChild('poll', this.polling);
    this.#assets.putChild('ws', liveWebSocketResource(this));
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
   * @param base the URL path of this resource's `_live/` child
   */
  load(request: Request | null, base: string): Deferred<LoadedPage> {
    if (this.#connections.size >= this.options.maxPages) return Deferred.fail(new TooManyPages(`${this.#connections.size} live pages already`));
    const root = this.options.element(request);
    const connection = new LiveConnection(this.#settings, root, request);
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
          maxMessageSize: o.maxMessageSize,
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

  /** Renders a new page (503 when `maxPages` are alive). */
  renderGET(request: Request): Deferred<string | Uint8Array> {
    const loading = this.load(request, liveBase(request));
    if (loading.called && loading.result instanceof Failure && loading.result.check(TooManyPages)) {
      loading.addErrback(() => undefined);
      request.setHeader('Retry-After', Math.ceil(this.options.gracePeriod));
      return Deferred.succeed(new ErrorPage(503, 'Service Unavailable', 'Too many live pages; try again later.').render(request));
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
