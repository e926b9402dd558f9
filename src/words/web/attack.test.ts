/**
 * Issue 12's "slow or silent web pages" against a real `torsion words` application on 127.0.0.1: 50 chat
 * pages logged in to `#lobby` stop reading their sockets while 20 IRC users join and part `#lobby` as fast as
 * the IRC server's flood limit lets them. The server runs in a child process so that its memory is measured
 * alone (`test-support/attack-server.ts`), the pages and the IRC users in another
 * (`test-support/attackers.ts`), and two IRC users here time a message between them meanwhile. Bounded: the
 * server has a 512 MiB heap cap and every wait has a deadline.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as net from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from '../../live/index.js';

type Child = ChildProcessByStdio<Writable, Readable, null>;

const MB = 1024 * 1024;
const PAGES = 50;
const CHURNERS = 20;
/** Seconds the IRC users churn. */
const CHURN = 20;
/** Characters of each PART reason: every membership change a page is sent carries it. */
const REASON = 200;
/** The chat's limits: its defaults (each page comes from an address of its own). */
const LIMITS: Partial<LiveLimits> = {};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A child process running `test-support/<script>`, answering each line on its stdin with a JSON line. */
class Helper {
  readonly #answers: ((line: string) => void)[] = [];
  readonly #lines: Interface;
  #gone: string | null = null;
  #greeted: ((line: string) => void) | null = null;
  private constructor(readonly child: Child) {
    this.#lines = createInterface({ input: child.stdout });
  }

  static start(script: string, args: string[], env: Record<string, string> = {}): Helper {
    const path = new URL(`./test-support/${script}`, import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const helper = new Helper(child);
    child.on('exit', (code) => helper.#exited(`${script} exited with ${code}`));
    return helper;
  }

  /** Fails whatever still waits for an answer. */
  #exited(why: string): void {
    this.#gone = why;
    for (const answer of this.#answers.splice(0)) answer(JSON.stringify({ error: why }));
    this.#greeted?.(JSON.stringify({ error: why }));
  }

  /** The first line the process prints unasked, then every later line answers a command. */
  async greeting<T>(seconds: number): Promise<T> {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no greeting within ${seconds} s`)), seconds * 1000);
      this.#greeted = (l) => {
        clearTimeout(timer);
        this.#greeted = null;
        resolve(l);
      };
      this.#lines.once('line', (l) => this.#greeted?.(l));
    });
    this.#lines.on('line', (l) => this.#answers.shift()?.(l));
    const parsed = JSON.parse(line) as T & { error?: string };
    if (typeof parsed.error === 'string') throw new Error(parsed.error);
    return parsed;
  }

  command<T>(line: string, seconds = 30): Promise<T> {
    if (this.#gone !== null) return Promise.reject(new Error(this.#gone));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${line} within ${seconds} s`)), seconds * 1000);
      this.#answers.push((answer) => {
        clearTimeout(timer);
        const parsed = JSON.parse(answer) as T & { error?: string };
        if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) reject(new Error(String(parsed.error)));
        else resolve(parsed);
      });
      this.child.stdin.write(`${line}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
    setTimeout(() => this.child.kill(), 5000).unref();
  }
}

interface Stats {
  rss: number;
  heapUsed: number;
  peakRss: number;
  peakHeap: number;
  pages: number;
  connected: number;
  heldBytes: number;
  maxPageBytes: number;
  lobby: number;
}

/** A plain IRC user in `#lobby` that notes when each `PRIVMSG #lobby :tick <n>` arrives. */
class Member {
  readonly socket: net.Socket;
  readonly arrived = new Map<number, number>();
  #text = '';
  #joined: Promise<void>;
  constructor(
    port: number,
    readonly nick: string,
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('error', () => undefined);
    let joined!: () => void;
    this.#joined = new Promise((r) => (joined = r));
    this.socket.on('data', (d: string) => {
      const lines = (this.#text + d).split('\r\n');
      this.#text = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('PING ')) this.send(`PONG ${l.slice(5)}`);
        else if (l.includes(` 366 ${nick} #lobby `)) joined();
        const tick = / PRIVMSG #lobby :tick (\d+)$/.exec(l);
        if (tick) this.arrived.set(Number(tick[1]), performance.now());
      }
    });
    this.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'JOIN #lobby');
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  joined(seconds: number): Promise<void> {
    return Promise.race([this.#joined, sleep(seconds * 1000).then(() => Promise.reject(new Error(`${this.nick} not in #lobby within ${seconds} s`)))]);
  }
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(100);
  }
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

const helpers: Helper[] = [];
const members: Member[] = [];
after(() => {
  for (const m of members) m.socket.destroy();
  for (const h of helpers) h.stop();
});

describe('loopback attack on the web chat', () => {
  test('50 pages that stop reading while 20 IRC users join and part are dropped; the server grows under 60 MB and IRC users still talk', { timeout: 120_000 }, async (t: TestContext) => {
    const server = Helper.start('attack-server.ts', [JSON.stringify(LIMITS)], { NODE_OPTIONS: '--max-old-space-size=512' });
    helpers.push(server);
    const ports = await server.greeting<{ irc: number[]; web: number[] }>(60);
    const [irc, web] = [ports.irc[0]!, ports.web[0]!];
    const attackers = Helper.start('attackers.ts', [String(web), String(irc)]);
    helpers.push(attackers);
    await attackers.greeting(30);
    const talker = new Member(irc, 'talker');
    const listener = new Member(irc, 'listener');
    members.push(talker, listener);
    await Promise.all([talker.joined(30), listener.joined(30)]);
    await attackers.command(`irc ${CHURNERS}`, 30);
    // Warm-up: the same code paths (pages logging in, stalling under churn, logging out), before the baseline.
    await attackers.command('pages 5 warm', 30);
    await waitFor('the warm-up pages in #lobby', 30, async () => (await server.command<Stats>('stats')).lobby === 5 + 2);
    await attackers.command(`churn 2 ${REASON}`);
    await attackers.command('leave warm');
    await waitFor('the warm-up pages gone from #lobby', 30, async () => (await server.command<Stats>('stats')).lobby === 2);
    await sleep(500);
    const before = await server.command<Stats>('gc');
    await server.command('reset');

    await attackers.command(`pages ${PAGES} stall`, 30);
    await waitFor('every page in #lobby', 30, async () => (await server.command<Stats>('stats')).lobby === PAGES + 2);
    const loggedIn = await server.command<Stats>('stats');

    // The talker says a numbered line every half second (within its flood rate) while the others churn.
    const sent = new Map<number, number>();
    let ticking = true;
    const ticks = (async () => {
      for (let i = 0; ticking; i++) {
        sent.set(i, performance.now());
        talker.send(`PRIVMSG #lobby :tick ${i}`);
        await sleep(500);
      }
    })();
    const churned = await attackers.command<{ joins: number; parts: number; connected: number }>(`churn ${CHURN} ${REASON}`, CHURN + 30);
    ticking = false;
    await ticks;
    await sleep(1000);
    const during = await server.command<Stats>('stats');
    const afterwards = await server.command<Stats>('gc');

    const latencies = [...sent].map(([i, at]) => (listener.arrived.get(i) ?? Infinity) - at).sort((a, b) => a - b);
    const growth = during.peakRss - before.rss;
    t.diagnostic(`churn: ${churned.joins} JOINs and ${churned.parts} PARTs in ${CHURN} s by ${CHURNERS} IRC users (${churned.connected} still connected)`);
    t.diagnostic(`pages: ${PAGES} logged in; after the churn ${during.pages} alive, ${during.connected} connected, holding ${mb(during.heldBytes)} (most by one page ${mb(during.maxPageBytes)})`);
    t.diagnostic(`server RSS ${mb(before.rss)} after warm-up, ${mb(loggedIn.rss)} with the pages in (heap ${mb(loggedIn.heapUsed)}), peak ${mb(during.peakRss)} (+${mb(growth)}), ${mb(afterwards.rss)} after; heap ${mb(before.heapUsed)} → peak ${mb(during.peakHeap)} (+${mb(during.peakHeap - before.heapUsed)})`);
    t.diagnostic(`IRC message latency over ${latencies.length} lines: median ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);

    assert.equal(churned.connected, CHURNERS, 'the churning IRC users stayed within the flood limit');
    assert.ok(churned.joins + churned.parts > CHURNERS * CHURN, 'the IRC users churned');
    assert.equal(during.lobby, 2, 'every stalled page was dropped and its user left #lobby; the talker and listener stayed');
    assert.equal(during.connected, 0, 'no stalled page is still connected');
    assert.ok(during.maxPageBytes <= DEFAULT_LIVE_LIMITS.maxPageBytes, 'what a page holds is within its budget');
    assert.ok(growth < 60 * MB, `RSS grew ${mb(growth)}`);
    assert.ok(latencies.length > 0 && latencies.at(-1)! < 5000, `a line between two IRC users took up to ${latencies.at(-1)} ms`);
  });
});
