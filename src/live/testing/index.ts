/**
 * `torsion/live/testing`: test live widgets in a real headless Chromium against a real Torsion server, from
 * Node's test runner. A {@link LiveHarness} serves resources on 127.0.0.1, opens pages in Chromium, and
 * reaches both ends: the browser widgets (by evaluating in the page) and the server's `LiveConnection` (to
 * drop, block or stall its transport).
 *
 * Needs Debian's `chromium` and the npm package `playwright-core` (an optional peer dependency of torsion,
 * loaded when the first Chromium is launched: a missing one fails with `PackageMissingError` naming it).
 *
 * @example
 * const harness = await LiveHarness.start({ '': new LivePage({ element: () => new Counter() }) });
 * const tab = await harness.open('/');
 * assert.equal(await tab.callWidget(1, 'increment'), 1);
 * await harness.close();
 * @module
 */
import type { Browser, Page } from 'playwright-core';
import { reactor } from '../../internet/index.js';
import { launchChromium } from '../../testing/chromium.js';
import { Resource, Site, type IResource } from '../../web/index.js';
import type { LiveConnection } from '../connection.js';
import type { LiveEndpoint } from '../endpoint.js';
import type { LivePage } from '../page.js';

/** Options of {@link LiveHarness.start}. */
export interface LiveHarnessOptions {
  /** A Chromium to share between harnesses (the harness launches and closes its own otherwise). */
  browser?: Browser;
  /** The live pages to find tabs on, when they are not direct children in `resources`. */
  livePages?: LivePage[];
}

/** A running server plus a Chromium to open its live pages in. */
export class LiveHarness {
  readonly tabs: LiveTab[] = [];

  private constructor(
    readonly browser: Browser,
    readonly base: string,
    readonly livePages: LivePage[],
    readonly stop: () => Promise<void>,
  ) {}

  /**
   * Serves `resources` (path segment → resource; `''` is the root) on 127.0.0.1 with an ephemeral port and
   * launches Chromium (or uses the one given).
   */
  static async start(resources: Record<string, IResource>, options: Browser | LiveHarnessOptions = {}): Promise<LiveHarness> {
    const { browser, livePages: explicit }: LiveHarnessOptions = 'newPage' in options ? { browser: options as Browser } : options;
    let root: IResource;
    const entries = Object.entries(resources);
    if (entries.length === 1 && entries[0]![0] === '') root = entries[0]![1];
    else {
      const r = new Resource();
      for (const [segment, resource] of entries) r.putChild(segment, resource);
      root = r;
    }
    // The browser first: when it cannot start, no port is left listening.
    const b = browser ?? (await launchChromium());
    const owned = browser === undefined;
    const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    const address = port.getHost() as unknown as { port: number };
    const livePages = explicit ?? entries.map(([, r]) => r).filter((r): r is LivePage => typeof (r as LivePage).connection === 'function' && 'polling' in r);
    return new LiveHarness(b, `http://127.0.0.1:${address.port}`, livePages, async () => {
      if (owned) await b.close();
      for (const p of livePages) p.close();
      await port.stopListening();
    });
  }

  /** The absolute URL of `path` on the server. */
  url(path: string): string {
    return this.base + path;
  }

  /**
   * Opens `path` in a new page and waits until its live connection is up. `prepare` runs before the page
   * loads (to route or block its requests).
   */
  async open(path: string, options: { prepare?: (page: Page) => Promise<void> } = {}): Promise<LiveTab> {
    const page = await this.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await options.prepare?.(page);
    await page.goto(this.url(path));
    const pageId = await page.evaluate(async () => {
      const handle = await globalThis.torsionLive!;
      return handle.client.options.page;
    });
    const livePage = this.livePages.find((p) => p.connection(pageId) !== undefined);
    if (livePage === undefined) throw new Error(`page ${pageId} is not on any LivePage of this harness`);
    const tab = new LiveTab(page, livePage, pageId, errors);
    await tab.waitForState('connected');
    this.tabs.push(tab);
    return tab;
  }

  /** Closes the pages, Chromium (if the harness launched it), the live pages and the server. */
  async close(): Promise<void> {
    for (const t of this.tabs) await t.page.close().catch(() => undefined);
    await this.stop();
  }
}

/** One browser page with a live connection, seen from both ends. */
export class LiveTab {
  constructor(
    /** The Playwright page. */
    readonly page: Page,
    /** The `LivePage` that served it. */
    readonly livePage: LivePage,
    /** The page id. */
    readonly pageId: string,
    /** Uncaught errors in the page so far. */
    readonly errors: string[],
  ) {}

  /** The server's state for this page (undefined once it is gone). */
  get connection(): LiveConnection | undefined {
    return this.livePage.connection(this.pageId);
  }

  /** Waits until the page's live state is `state` (`connected`, `disconnected` or `gone`). */
  async waitForState(state: 'connected' | 'disconnected' | 'gone', timeout = 60_000): Promise<void> {
    await this.page.waitForFunction((s) => document.documentElement.getAttribute('data-live-state') === s, state, { timeout });
  }

  /** Calls `method` of browser widget `widgetId` (any method, exposed or not) and returns its awaited result. */
  callWidget<T = unknown>(widgetId: number, method: string, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(
      async ([id, name, a]) => {
        const handle = await globalThis.torsionLive!;
        const w = handle.widget(id) as unknown as Record<string, (...x: unknown[]) => unknown> | undefined;
        if (w === undefined) throw new Error(`no widget ${id}`);
        return (await w[name]!(...a)) as never;
      },
      [widgetId, method, args] as [number, string, unknown[]],
    ) as Promise<T>;
  }

  /** Reads a property of browser widget `widgetId` (JSON-copied). */
  widgetProperty<T = unknown>(widgetId: number, name: string): Promise<T> {
    return this.page.evaluate(
      async ([id, n]) => {
        const handle = await globalThis.torsionLive!;
        return (handle.widget(id) as unknown as Record<string, unknown> | undefined)?.[n] as never;
      },
      [widgetId, name] as [number, string],
    ) as Promise<T>;
  }

  /** The transport the page uses now. */
  transport(): Promise<string> {
    return this.page.evaluate(async () => (await globalThis.torsionLive!).client.transport);
  }

  /** Closes the transport connection from the server side; the page reconnects. */
  dropConnection(): void {
    this.#connected('drop').dropTransport();
  }

  /** While blocked, the page's reconnections are refused (the network is down); the current one is closed. */
  block(blocked = true): void {
    const c = blocked ? this.#connected('block') : this.connection;
    if (c === undefined) return; // unblocking a page that is already gone has nothing to undo
    c.blocked = blocked;
    if (blocked) c.dropTransport();
  }

  /**
   * Stalls the current transport connection: frames are silently dropped both ways, as on a dead network
   * path, until heartbeats notice and the page reconnects over a fresh connection.
   */
  stall(): void {
    const socket = this.#connected('stall').socket as LiveEndpoint | null | undefined;
    if (!socket) throw new Error('LiveTab.stall: the page has no transport connection right now');
    socket.stalled = true;
  }

  // A fault injected into a page that has no server connection would cut nothing and let the test pass.
  #connected(what: string): LiveConnection {
    const c = this.connection;
    if (c === undefined) throw new Error(`LiveTab.${what}: the page has no server connection yet`);
    return c;
  }
}
