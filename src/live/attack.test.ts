/**
 * The attacks of issue 12 against a real live page server on 127.0.0.1. The server runs in a child process so
 * that its memory is measured alone (`test-support/attack-server.ts`), the attacking pages in another
 * (`test-support/attackers.ts`), and a normal page here measures its call latency meanwhile. Bounded: the
 * server has a 512 MiB heap cap, every wait has a deadline, and the attackers stop once they are dropped.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { LiveClient, type WebSocketConstructor } from './client/index.js';
import type { LiveLimits } from './shared/limits.js';
import { bootOf } from './test-support/requests.js';

type Child = ChildProcessByStdio<Writable, Readable, null>;

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `test-support/<script>` in a child process, its stdout read as lines. */
function run(script: string, nodeArgs: string[], args: string[]): { child: Child; lines: Interface } {
  const path = new URL(`./test-support/${script}`, import.meta.url).pathname;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { child, lines: createInterface({ input: child.stdout }) };
}

function nextLine(lines: Interface, seconds: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output within ${seconds} s`)), seconds * 1000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
}

interface Stats {
  rss: number;
  heapUsed: number;
  peakRss: number;
  peakHeap: number;
  pages: number;
  connected: number;
  made: number;
}

/** The server process and its line protocol. */
class Server {
  readonly #answers: ((line: string) => void)[] = [];
  private constructor(
    readonly child: Child,
    readonly port: number,
  ) {}

  static async start(limits: Partial<LiveLimits> = {}): Promise<Server> {
    const { child, lines } = run('attack-server.ts', ['--expose-gc', '--max-old-space-size=512'], [JSON.stringify(limits)]);
    const server = new Server(child, (JSON.parse(await nextLine(lines, 60)) as { port: number }).port);
    lines.on('line', (line) => server.#answers.shift()?.(line));
    return server;
  }

  command<T = Stats>(line: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${line}`)), 30_000);
      this.#answers.push((answer) => {
        clearTimeout(timer);
        resolve(JSON.parse(answer) as T);
      });
      this.child.stdin.write(`${line}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** The normal page's widget: the flood calls it. */
class Ticks {
  static exposed = ['tick'];
  tick(): void {}
}

/** A normal page calling the server in a loop, timing each call, until `stop`. */
async function normalPage(server: Server) {
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  const boot = bootOf(await res.text());
  const client = new LiveClient({ ...boot, base: `http://127.0.0.1:${server.port}/_live/`, transports: ['websocket'], WebSocket: WebSocket as unknown as WebSocketConstructor });
  client.registerWidget(1, new Ticks());
  const connected = new Promise((r) => client.addEventListener('connected', r, { once: true }));
  client.start();
  await connected;
  const latencies: number[] = [];
  let running = true;
  let failure: unknown = null;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      try {
        await client.callRemote(1, 'record', [i]);
      } catch (e) {
        failure = e;
        return;
      }
      latencies.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  return {
    client,
    async stop() {
      running = false;
      await loop;
      client.close();
      if (failure !== null) throw failure;
      const sorted = [...latencies].sort((a, b) => a - b);
      return { calls: sorted.length, median: sorted[Math.floor(sorted.length / 2)] ?? 0, p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0, max: sorted.at(-1) ?? 0 };
    },
  };
}

/** Runs `count` attacking pages of `kind` in their own process (see `test-support/attackers.ts`). */
function attackers(server: Server, kind: 'out-of-order' | 'stalled' | 'idle', count: number) {
  const { child, lines } = run('attackers.ts', [], [String(server.port), kind, String(count)]);
  return { child, result: <T>(seconds: number) => nextLine(lines, seconds).then((l) => JSON.parse(l) as T) };
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(100);
  }
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.stop();
});

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

describe('loopback attacks on a live page server', () => {
  test('four pages sending frames out of order are dropped; the server grows well under 100 MB and a normal page keeps answering', async (t: TestContext) => {
    const server = await Server.start();
    servers.push(server);
    const normal = await normalPage(server);
    await attackers(server, 'out-of-order', 1).result(60); // warm-up: the same code paths, before the baseline
    await sleep(200);
    const before = await server.command('gc');
    await server.command('reset');
    const t0 = performance.now();
    const attacks = await attackers(server, 'out-of-order', 4).result<{ sent: number; closed: boolean }[]>(60);
    const seconds = (performance.now() - t0) / 1000;
    const during = await server.command('stats');
    const latency = await normal.stop();
    await waitFor('the normal page closed', 10, async () => (await server.command('stats')).pages === 0);
    const afterwards = await server.command('gc');
    const growth = during.peakRss - before.rss;
    t.diagnostic(`attackers sent ${attacks.map((a) => a.sent).join(', ')} frames before being dropped, in ${seconds.toFixed(1)} s`);
    t.diagnostic(`server RSS ${mb(before.rss)} before, peak ${mb(during.peakRss)} (+${mb(growth)}), ${mb(afterwards.rss)} after; heap peak +${mb(during.peakHeap - before.heapUsed)}`);
    t.diagnostic(`normal page: ${latency.calls} calls, median ${latency.median.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
    for (const a of attacks) {
      assert.equal(a.closed, true, 'the server closed the attacker');
      assert.ok(a.sent < 200, `dropped after ${a.sent} frames`);
    }
    assert.ok(growth < 100 * MB, `RSS grew ${mb(growth)}`);
    assert.ok(latency.calls > 0 && latency.max < 5000, `the normal page waited up to ${latency.max} ms`);
  });

  test('with 2,000 pages held, pages sending frames out of order are still dropped at their budget, and every held page stays connected', async (t: TestContext) => {
    // Every page comes from 127.0.0.1: its page count and burst are raised; the byte budgets are the defaults.
    const server = await Server.start({ pageBurst: 2100, maxPagesPerAddress: 2100 });
    servers.push(server);
    const crowd = attackers(server, 'idle', 2000);
    await crowd.result(90);
    await waitFor('all 2,000 pages connected', 30, async () => (await server.command('stats')).connected === 2000);
    const attacks = await attackers(server, 'out-of-order', 2).result<{ sent: number; closed: boolean }[]>(60);
    const during = await server.command('stats');
    crowd.child.stdin.end();
    t.diagnostic(`attackers sent ${attacks.map((a) => a.sent).join(', ')} frames before being dropped; ${during.connected} pages connected afterwards`);
    for (const a of attacks) {
      assert.equal(a.closed, true, 'the server closed the attacker');
      assert.ok(a.sent < 200, `dropped after ${a.sent} frames`);
    }
    assert.equal(during.connected, 2000, 'every held page is still connected');
  });

  test('fifty pages that stop reading while the server keeps sending lose their connections; memory stays bounded', async (t: TestContext) => {
    const server = await Server.start({ pageBurst: 100, maxPagesPerAddress: 200, stallTimeout: 5 });
    servers.push(server);
    const normal = await normalPage(server);
    await sleep(200);
    const before = await server.command('gc');
    await server.command('reset');
    const stalled = attackers(server, 'stalled', 50);
    await stalled.result(60);
    await waitFor('all pages connected', 30, async () => (await server.command('stats')).connected === 51);
    const t0 = performance.now();
    await server.command('flood 20 2048');
    await waitFor('the stalled connections closed', 60, async () => (await server.command('stats')).connected === 1);
    const seconds = (performance.now() - t0) / 1000;
    await sleep(5000); // the flood goes on while the pages wait out their grace period, within their budgets
    await server.command('quiet');
    const during = await server.command('stats');
    const latency = await normal.stop();
    const growth = during.peakRss - before.rss;
    stalled.child.stdin.end();
    t.diagnostic(`50 stalled connections closed ${seconds.toFixed(1)} s into the flood (stallTimeout 5 s); ${during.pages - 1} of their pages still in their grace period`);
    t.diagnostic(`server RSS ${mb(before.rss)} before, peak ${mb(during.peakRss)} (+${mb(growth)}); heap peak +${mb(during.peakHeap - before.heapUsed)}`);
    t.diagnostic(`normal page: ${latency.calls} calls, median ${latency.median.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
    assert.ok(growth < 100 * MB, `RSS grew ${mb(growth)}`);
    assert.ok(latency.calls > 0 && latency.max < 5000, `the normal page waited up to ${latency.max} ms`);
  });
});
