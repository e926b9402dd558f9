/**
 * What the C10K live load's broadcasts leave in V8's old generation, without sockets: `PAGES` pages of one
 * `LivePage` on the real reactor, a `callRemoteAll` to all of them each second, each page answering within
 * 100 ms as the load's pages do (its answer carrying its acknowledgement). Prints the old generation's growth
 * per broadcast (the garbage promoted there, collected only by a full GC), from the seconds with no full GC,
 * and the delayed calls left on the reactor.
 *
 *     node --conditions torsion-source --import tsx bench/c10k/live-promotion.ts [pages=10000] [broadcasts=15]
 * @module
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { reactor } from '../../src/internet/index.js';
import { LiveElement, LivePage, callRemoteAll, expose, type FrameSocket, type LiveConnection } from '../../src/live/index.js';
import { decodeFrame, type SharedMessage } from '../../src/live/shared/frames.js';
import { TagLoader, tags } from '../../src/template/index.js';

const PAGES = Number(process.argv[2] ?? 10_000);
const BROADCASTS = Number(process.argv[3] ?? 15);
const WARMUP = 5;

class Echo extends LiveElement {
  static override loader = TagLoader(tags.div('c10k'));
  @expose
  echo(x: unknown): unknown {
    return x;
  }
}

let lastShared: SharedMessage | null = null;
let lastId = 0;

/** A page's transport connection and the page itself: answers each call. */
class Tab implements FrameSocket {
  received = 0;
  sent = 0;
  readonly calls: number[] = [];
  constructor(readonly connection: LiveConnection) {}
  sendFrame(frame: string): void {
    const f = decodeFrame(frame, Infinity);
    if (f[0] !== 1) return;
    this.received = f[1];
    const payload = JSON.parse(f[3]) as unknown[];
    if (payload[0] === 'c') this.calls.push(payload[1] as number);
  }
  sendSharedFrame(message: SharedMessage): void {
    this.received++;
    if (message !== lastShared) {
      lastShared = message;
      lastId = (JSON.parse(message.payloadJSON) as number[])[1]!;
    }
    this.calls.push(lastId);
  }
  answer(): void {
    for (const id of this.calls) this.connection.frameReceived(this, decodeFrame(`[1,${++this.sent},${this.received},["r",${id},true]]`, Infinity));
    this.calls.length = 0;
  }
  close(): void {}
}

const n = PAGES + 10;
const page = new LivePage({ element: () => new Echo(), limits: { maxPages: n, maxPagesPerAddress: n, pageBurst: n } });
const tabs: Tab[] = [];
for (let i = 0; i < PAGES; i++) {
  void page.load(null, '/_live/').addCallback((loaded) => {
    const tab = new Tab(loaded.connection);
    tabs.push(tab);
    loaded.connection.attach(tab, 0);
    return loaded;
  });
}
const roots = tabs.map((t) => t.connection.widget(1)!);

let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });
const oldBytes = (): number => v8.getHeapSpaceStatistics().reduce((sum, s) => (s.space_name === 'old_space' || s.space_name === 'large_object_space' ? sum + s.space_used_size : sum), 0);

const growth: number[] = [];
let before = 0;
let majorsBefore = 0;
let tick = 0;
const timer = setInterval(() => {
  tick++;
  const old = oldBytes();
  if (tick > WARMUP + 1 && majors === majorsBefore) growth.push(old - before);
  before = old;
  majorsBefore = majors;
  if (tick > WARMUP + BROADCASTS) {
    clearInterval(timer);
    growth.sort((a, b) => a - b);
    const kb = (x: number): string => `${(x / 1024).toFixed(0)} kB`;
    console.log(`${PAGES} pages: old generation growth per broadcast, median ${growth.length ? kb(growth[growth.length >> 1]!) : 'n/a'} (min ${growth.length ? kb(growth[0]!) : 'n/a'}, max ${growth.length ? kb(growth.at(-1)!) : 'n/a'}; ${growth.length} seconds without a full GC of ${BROADCASTS}); delayed calls on the reactor: ${reactor.getDelayedCalls().length}`);
    process.exit(0);
  }
  void callRemoteAll(roots, 'echo', 'tick');
  for (let slice = 0; slice < 10; slice++) {
    setTimeout(() => {
      for (let i = slice; i < tabs.length; i += 10) tabs[i]!.answer();
    }, 5 + slice * 10);
  }
}, 1000);
