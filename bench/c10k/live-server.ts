/**
 * The live-page server of the C10K budget check (started by server.ts as kind `torsion-live`): a `LivePage`
 * with the hardening defaults (`DEFAULT_LIVE_LIMITS`), except the limits one client address would hit when
 * every page comes from 127.0.0.1, listed in {@link RAISED}. Answers on IPC:
 *
 * - `mem`: memory after a full GC, connected pages, the process budget's use, and peaks since `reset`;
 * - `tick`: from now on broadcasts to every page each second (the load the checks run under), so a page that
 *   reads nothing has messages waiting for its acknowledgement (what `stallTimeout` acts on);
 * - `reset`: starts new peaks;
 * - `mark`: pages made from now on are the checks' extra pages (tracked: when they connected, lost their
 *   connection, went);
 * - `extras`: the extra pages so far;
 * - `broadcast`: one call to every page made before `mark`, answered by how many acknowledged it.
 * @module
 */
import { reactor } from '../../src/internet/index.js';
import { processBudget } from '../../src/live/admission.js';
import { LiveElement, LivePage, callRemoteAll, expose, type LiveConnection } from '../../src/live/index.js';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from '../../src/live/shared/limits.js';
import { TagLoader, tags } from '../../src/template/index.js';
import { Site } from '../../src/web/index.js';

class Echo extends LiveElement {
  static override loader = TagLoader(tags.div('c10k'));
  @expose
  echo(x: unknown): unknown {
    return x;
  }
}

/** The limits raised from their defaults, and why. */
export function raisedLimits(pages: number): Record<string, { value: number; why: string }> {
  const d = DEFAULT_LIVE_LIMITS;
  const all = 'every page comes from 127.0.0.1';
  return {
    maxPages: { value: pages + 200, why: `the default (${d.maxPages}) is the load itself; the checks' extra pages come on top` },
    maxPagesPerAddress: { value: pages + 200, why: `${all} (default ${d.maxPagesPerAddress})` },
    pageBurst: { value: pages + 200, why: `${all}, loaded as fast as the client can (default ${d.pageBurst}, then ${d.pageRate}/s)` },
    maxAddressBytes: { value: d.maxTotalBytes, why: `${all}: its budget is the process's (default ${d.maxAddressBytes} bytes)` },
  };
}

interface Extra {
  connection: LiveConnection;
  connectedAt: number | null;
  lostAt: number | null;
  goneAt: number | null;
}

export function startLiveServer(pages: number): { port: number; onMessage(cmd: string): unknown } {
  const raised = raisedLimits(pages);
  const limits: Partial<LiveLimits> = Object.fromEntries(Object.entries(raised).map(([k, v]) => [k, v.value]));
  const budget = processBudget(DEFAULT_LIVE_LIMITS.maxTotalBytes);
  const normal: LiveConnection[] = [];
  const extras: Extra[] = [];
  let marked = false;
  let markedAt = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let peakExternal = 0;
  let peakBudget = 0;

  class C10KPage extends LivePage {
    override load(...args: Parameters<LivePage['load']>): ReturnType<LivePage['load']> {
      return super.load(...args).addCallback((loaded) => {
        const c = loaded.connection;
        if (!marked) normal.push(c);
        else {
          const e: Extra = { connection: c, connectedAt: null, lostAt: null, goneAt: null };
          extras.push(e);
          void c.notifyOnDisconnect().addCallback(() => (e.goneAt ??= reactor.seconds() - markedAt));
        }
        return loaded;
      });
    }
  }
  const page = new C10KPage({ element: () => new Echo(), limits });
  const port = reactor.listenTCP(0, new Site(page, { accessLog: false }), { interface: '127.0.0.1', backlog: 4096 });

  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
    peakBudget = Math.max(peakBudget, budget.used);
    const now = reactor.seconds() - markedAt;
    for (const e of extras) {
      if (e.connection.isConnected) e.connectedAt ??= now;
      else if (e.connectedAt !== null) e.lostAt ??= now;
    }
  };
  setInterval(sample, 20).unref();
  const roots = () => normal.filter((c) => !c.isGone).map((c) => c.widget(1)!);
  let ticking: ReturnType<typeof setInterval> | null = null;

  return {
    port: (port.getHost() as unknown as { port: number }).port,
    onMessage(cmd: string): unknown {
      if (cmd === 'mem') {
        for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
        sample();
        const m = process.memoryUsage();
        const connected = normal.filter((c) => c.isConnected).length;
        return { rss: m.rss, heap: m.heapUsed, external: m.external, connections: connected, budgetUsed: budget.used, budgetLimit: budget.limit, peakRss, peakHeap, peakExternal, peakBudget, raised };
      }
      if (cmd === 'reset') {
        peakRss = peakHeap = peakExternal = peakBudget = 0;
        return {};
      }
      if (cmd === 'mark') {
        marked = true;
        markedAt = reactor.seconds();
        return {};
      }
      if (cmd === 'tick') {
        // Every page, the extra ones too: a page that reads nothing then has messages waiting for it.
        ticking ??= setInterval(() => void callRemoteAll([...page.connections.values()].map((c) => c.widget(1)!), 'receive', 'tick'), 1000);
        return {};
      }
      if (cmd === 'extras') {
        sample();
        return extras.map(({ connectedAt, lostAt, goneAt }) => ({ connectedAt, lostAt, goneAt }));
      }
      if (cmd === 'broadcast') {
        const all = roots();
        return callRemoteAll(all, 'receive', 'everyone')
          .asPromise()
          .then((results) => ({ pages: all.length, acknowledged: results.filter(([ok]) => ok).length }));
      }
      throw new Error(`unknown command ${cmd}`);
    },
  };
}
