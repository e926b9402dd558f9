/**
 * torsion/live benchmarks against Socket.IO acknowledgements:
 * - round trips per second of a small call from a Chromium page to the server and back, one at a time;
 * - fan-out: one message from the server to 1,000 connected Node clients, each acknowledging it
 *   (acknowledged messages per second): `callRemoteAll` against a Socket.IO broadcast with acknowledgements;
 * - server memory per idle connected page (per idle socket for Socket.IO).
 * The servers run in this process, the clients in Chromium or in one child process. The fan-out rate is
 * bound by that one client process (1,000 clients on one core), so the server's own cost is reported too:
 * this process's CPU time per acknowledged message during the fan-outs, and the client process's beside it
 * (its Torsion `LiveClient`s or Socket.IO clients, on `ws` both). `BENCH_LIVE_PAGES` sets the number
 * of pages (default 1,000; the second target is 10,000), `BENCH_LIVE_ONLY=fanout` skips Chromium.
 *
 * Fan-out rounds alternate between Torsion and Socket.IO (harness `interleaved`, `BENCH_ROUNDS` rounds):
 * each round connects its clients, fans out, and disconnects them all, so only one side's clients are
 * connected at a time. That keeps 10,000 pages within one process's descriptor limit and memory (the
 * server never holds 20,000 sockets, nor the client process 20,000 clients).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Server as SocketIOServer } from 'socket.io';
import type { Browser } from 'playwright-core';
import { reactor } from '../src/internet/index.js';
import { LiveElement, LivePage, callRemoteAll, expose, type LiveConnection } from '../src/live/index.js';
import { TagLoader, tags } from '../src/template/index.js';
import { bundleForBrowser, launchChromium } from '../src/testing/chromium.js';
import { Site } from '../src/web/index.js';
import { fromSamples, interleaved, ROUNDS, type BenchCase } from './harness.js';

const CLIENTS = Number(process.env.BENCH_LIVE_PAGES ?? 1000);
/** Its own section of RESULTS.md when run at another number of pages than the default. */
export const variant = CLIENTS === 1000 ? undefined : `${CLIENTS}-pages`;
const FANOUTS = 5;
const FANOUT_ONLY = process.env.BENCH_LIVE_ONLY === 'fanout';
const RTT_SECONDS = 1.5;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

class Echo extends LiveElement {
  static override loader = TagLoader(tags.div('bench'));
  @expose
  echo(x: unknown): unknown {
    return x;
  }
}

/**
 * CPU microseconds (user + system) process `pid` has used so far, from /proc (clock ticks of 10 ms: a round's
 * fan-outs take hundreds), or NaN where there is no /proc.
 */
function processCpuMicros(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
  } catch {
    return NaN;
  }
}

/** CPU microseconds (user + system) this process used since `since`. */
function cpuMicros(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

function ask(child: ChildProcess, message: object): Promise<void> {
  return new Promise((resolve) => {
    child.once('message', () => resolve());
    child.send(message);
  });
}

async function liveRoundTrips(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    return await page.evaluate(async (seconds) => {
      const h = await globalThis.torsionLive!;
      const w = h.root;
      await new Promise<void>((r) => (h.client.state === 'connected' ? r() : h.client.addEventListener('connected', () => r(), { once: true })));
      for (let i = 0; i < 100; i++) await w.callRemote('echo', 'x');
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < seconds * 1000) {
        await w.callRemote('echo', 'x');
        n++;
      }
      return n / ((performance.now() - start) / 1000);
    }, RTT_SECONDS);
  } finally {
    await page.close();
  }
}

async function sioRoundTrips(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    return await page.evaluate(async (seconds) => {
      type S = { emitWithAck(e: string, x: unknown): Promise<unknown>; once(e: string, f: () => void): void; connected: boolean; close(): void };
      const s = (globalThis as unknown as { io: (u: string, o: object) => S }).io(location.origin, { transports: ['websocket'] });
      await new Promise<void>((r) => (s.connected ? r() : s.once('connect', r)));
      for (let i = 0; i < 100; i++) await s.emitWithAck('echo', 'x');
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < seconds * 1000) {
        await s.emitWithAck('echo', 'x');
        n++;
      }
      s.close();
      return n / ((performance.now() - start) / 1000);
    }, RTT_SECONDS);
  } finally {
    await page.close();
  }
}

export default async function liveBench(): Promise<BenchCase[]> {
  // Torsion: a LivePage at the root.
  // Pages are loaded long before the child connects them all on a busy machine: no connect deadline; room
  // for every page of a round and those of the round-trip test still in their grace period.
  const livePage = new LivePage({ element: () => new Echo(), transports: ['websocket'], heartbeatInterval: 30, heartbeatTimeout: 90, limits: { connectTimeout: 600, maxPages: CLIENTS + 100 } });
  const port = reactor.listenTCP(0, new Site(livePage, { accessLog: false }), { interface: '127.0.0.1' });
  const liveURL = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}`;

  // Socket.IO on node:http, serving a page with its bundled client.
  const sioClient = FANOUT_ONLY ? '' : await bundleForBrowser(new URL('./live/sio-entry.ts', import.meta.url).pathname);
  const http = createServer((req, res) => {
    if (req.url === '/sio.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(sioClient);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><script src="/sio.js"></script>');
    }
  });
  const sio = new SocketIOServer(http, { transports: ['websocket'], serveClient: false });
  sio.on('connection', (socket) => socket.on('echo', (x: unknown, ack: (x: unknown) => void) => ack(x)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const sioURL = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const browser = FANOUT_ONLY ? null : await launchChromium();
  const child = fork(new URL('./live/clients.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    // Round trips, two interleaved rounds, best kept.
    let liveRTT = 0;
    let sioRTT = 0;
    for (let round = 0; browser !== null && round < 2; round++) {
      liveRTT = Math.max(liveRTT, await liveRoundTrips(browser, `${liveURL}/`));
      sioRTT = Math.max(sioRTT, await sioRoundTrips(browser, `${sioURL}/`));
    }

    // Torsion: CLIENTS pages, loaded server-side, connected from the child; one call to every page, encoded
    // and framed once (the counterpart of Socket.IO's broadcast).
    const liveRound = async (): Promise<Round> => {
      const before = heapUsed();
      // Only the connections are kept: the markup and boot data of each load went to the page (here the
      // child got the ids), and a server holds neither for an idle page.
      const connections: LiveConnection[] = (await Promise.all(Array.from({ length: CLIENTS }, () => livePage.load(null, `${liveURL}/_live/`).asPromise()))).map((l) => l.connection);
      await ask(child, { cmd: 'live', base: `${liveURL}/_live/`, pages: connections.map((c) => c.id) });
      const connectedHeap = heapUsed();
      const roots = connections.map((c) => c.widget(1)!);
      const fanout = async () => {
        const results = await callRemoteAll(roots, 'receive', { text: 'hello everyone', n: 1 }).asPromise();
        if (!results.every(([ok]) => ok)) throw new Error('a page did not acknowledge');
      };
      const round = await timeFanouts(fanout, () => processCpuMicros(child.pid!));
      for (const c of connections) c.disconnect('benchmark round over');
      await ask(child, { cmd: 'close' });
      await settle(() => livePage.connections.size === 0);
      return { ...round, memory: perClient(connectedHeap, before) };
    };

    // Socket.IO: CLIENTS sockets, a broadcast with acknowledgements.
    const sioRound = async (): Promise<Round> => {
      const before = heapUsed();
      await ask(child, { cmd: 'sio', url: sioURL, n: CLIENTS });
      const connectedHeap = heapUsed();
      const fanout = () =>
        new Promise<void>((resolve, reject) =>
          sio.timeout(60_000).emit('receive', { text: 'hello everyone', n: 1 }, (err: Error | null, responses: unknown[]) => {
            if (err) reject(err);
            else if (responses.length !== CLIENTS) reject(new Error(`only ${responses.length} acks`));
            else resolve();
          }),
        );
      const round = await timeFanouts(fanout, () => processCpuMicros(child.pid!));
      await ask(child, { cmd: 'close' });
      await settle(() => sio.engine.clientsCount === 0);
      return { ...round, memory: perClient(connectedHeap, before) };
    };

    const rounds: Record<'torsion' | 'sio', Round[]> = { torsion: [], sio: [] };
    await interleaved(['torsion', 'sio'] as const, async (k, round) => {
      const r = k === 'torsion' ? await liveRound() : await sioRound();
      // Progress: a 10,000-page round takes minutes on a loaded machine.
      console.error(`live fan-out round ${round + 1} ${k}: ${r.rate.toFixed(0)} acked/s, ${r.cpu.toFixed(1)} µs CPU (client ${r.clientCpu.toFixed(1)}), ${r.memory.toFixed(0)} B heap per client`);
      rounds[k].push(r);
      return r.rate;
    }, Math.max(3, ROUNDS));
    const pick = (k: 'torsion' | 'sio', f: keyof Round) => rounds[k].map((r) => r[f]);

    const cases: BenchCase[] = [];
    if (browser !== null) {
      cases.push({
        name: 'live: callRemote round trips, Chromium → server → back',
        higherIsBetter: true,
        goal: '>= 1x Socket.IO',
        measurements: [
          { subject: 'torsion', value: liveRTT, unit: 'calls/s' },
          { subject: 'socket.io emitWithAck', value: sioRTT, unit: 'calls/s' },
        ],
      });
    }
    const goal = CLIENTS >= 10_000 ? '>= 2x Socket.IO' : '>= 1.5x Socket.IO';
    cases.push(
      {
        name: `live: fan-out to ${CLIENTS} clients, acknowledged`,
        higherIsBetter: true,
        goal,
        measurements: [fromSamples('torsion', pick('torsion', 'rate'), 'acked msgs/s'), fromSamples('socket.io broadcast+acks', pick('sio', 'rate'), 'acked msgs/s')],
      },
      {
        name: `live: fan-out to ${CLIENTS} clients, server CPU per acknowledged message`,
        higherIsBetter: false,
        goal,
        measurements: [fromSamples('torsion', pick('torsion', 'cpu'), 'µs CPU'), fromSamples('socket.io broadcast+acks', pick('sio', 'cpu'), 'µs CPU')],
      },
      {
        // Not a goal: the clients' share of the two cores, which bounds the rate above as much as the server.
        name: `live: fan-out to ${CLIENTS} clients, client process CPU per acknowledged message`,
        higherIsBetter: false,
        measurements: [fromSamples('torsion LiveClient', pick('torsion', 'clientCpu'), 'µs CPU'), fromSamples('socket.io-client', pick('sio', 'clientCpu'), 'µs CPU')],
      },
      {
        name: `live: server memory per idle connected page (${CLIENTS} pages)`,
        higherIsBetter: false,
        goal: '<= 0.5x Socket.IO',
        measurements: [fromSamples('torsion', pick('torsion', 'memory'), 'bytes heap'), fromSamples('socket.io socket', pick('sio', 'memory'), 'bytes heap')],
      },
    );
    return cases;
  } finally {
    child.kill();
    await browser?.close();
    livePage.close();
    await port.stopListening();
    sio.close();
    http.close();
  }
}

/** One fan-out round: acknowledged messages per second, server and client CPU µs per acknowledged message, heap per client. */
interface Round {
  rate: number;
  cpu: number;
  clientCpu: number;
  memory: number;
}

/**
 * Heap per client of a round: the heap with its clients connected less the lower of the heap before they
 * came and after they went. Sockets of the previous round (or of this one) still closing would otherwise
 * count against the baseline and make the figure too low, even negative.
 */
function perClient(connected: number, before: number): number {
  return (connected - Math.min(before, heapUsed())) / CLIENTS;
}

/** A warm-up fan-out, then FANOUTS timed ones. */
async function timeFanouts(fanout: () => Promise<void>, clientCpu: () => number): Promise<Omit<Round, 'memory'>> {
  await fanout();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const clientStart = clientCpu();
  for (let i = 0; i < FANOUTS; i++) await fanout();
  const acks = CLIENTS * FANOUTS;
  return { rate: acks / ((performance.now() - start) / 1000), cpu: cpuMicros(cpu) / acks, clientCpu: (clientCpu() - clientStart) / acks };
}

/** Waits for a round's clients to be gone, then a little more for their sockets to close. */
async function settle(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
}
