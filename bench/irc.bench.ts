/**
 * IRC server: Torsion's server (built JavaScript in a child process, see support/irc-peers.ts) against ngircd
 * (Debian package ngircd), in the same run, with the same load generator in this process.
 *
 * - Fan-out: `BENCH_IRC_CLIENTS` (1,000) raw TCP clients register, join one channel and count lines; one sender
 *   sends in bursts of 100 lines and waits for every member to have them all. Flood limits are off on both
 *   (ngircd: MaxPenaltyTime = 0 and the sender an operator with +F; Torsion: `flood: false`). Measured in
 *   `BENCH_ROUNDS` (5) interleaved rounds (ABBA), each on a fresh server pinned to the server core (this
 *   process on the load core): 3 warm-up bursts, then `BENCH_IRC_BURSTS` (20) measured ones. Two figures per
 *   round: deliveries per second (wall time), and the server's CPU (user + system) per delivery. A fresh
 *   server is what a restarted one meets, optimizing compiler and collector still settling; a round of one
 *   burst said little (1.97M then 1.29M deliveries/s in two runs of the same code).
 * - Memory per registered client, twice: right after the join storm, and once the server has sat idle for
 *   `BENCH_IRC_IDLE` seconds (15, longer while its RSS still falls): V8 grows its young generation during the storm and gives it back only once
 *   the process is idle (its memory reducer, which needs one collection after the storm to see the quiet), so
 *   the first figure is mostly the storm's passing garbage room and the second is what an idle client holds. ngircd, which has no such heap, is measured the same way.
 * - The per-client figures are marginal costs: before the measured clients come, `BENCH_IRC_WARM_CLIENTS` (100)
 *   others register, join a channel of their own and chat, and stay; the baseline is taken once the server
 *   has then sat idle the same way as above. A process's one-time costs (a Node process maps about 4 MB more
 *   of the node binary, the optimizing compiler's code, once hot paths are first optimized: 4 kB per client
 *   at 1,000; ngircd's first connection-table growth) land in the baseline, for both servers alike. The
 *   average over every client from an empty server (one-time costs included, the measure before this one)
 *   is printed beside it.
 * - Private memory per idle client beside the RSS: RSS also counts pages mapped from files.
 * - `BENCH_IRC_ONLY=fanout` runs the fan-out rounds alone (no memory, no C10K).
 * - C10K: `BENCH_IRC_C10K` clients (10,000; 0 skips) in `BENCH_IRC_C10K_CHANNELS` channels (100): memory per
 *   client once idle, and the latency of a channel message from one member to another while all are
 *   connected (p50, p99 of `BENCH_IRC_C10K_SAMPLES` sequential ones, 1,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromSamples, interleaved, LOAD_CORE, pin, SERVER_CORE, type BenchCase, type Measurement } from './harness.js';
import { buildTorsionServer, cpuSeconds, joinMembers, Member, privateBytes, rssBytes, sleep, startNgircd, startTorsion, type IRCBenchServer } from './support/irc-peers.js';

const CLIENTS = Number(process.env.BENCH_IRC_CLIENTS ?? 1000);
const WARM_BURSTS = 3;
const BURSTS = Number(process.env.BENCH_IRC_BURSTS ?? 20);
const PER_BURST = 100;
const IDLE_SECONDS = Number(process.env.BENCH_IRC_IDLE ?? 15);
const WARM_CLIENTS = Number(process.env.BENCH_IRC_WARM_CLIENTS ?? 100);
const WARM_LINES = 20;
const FANOUT_ONLY = process.env.BENCH_IRC_ONLY === 'fanout';
const C10K = FANOUT_ONLY ? 0 : Number(process.env.BENCH_IRC_C10K ?? 10_000);
const C10K_CHANNELS = Number(process.env.BENCH_IRC_C10K_CHANNELS ?? 100);
const C10K_SAMPLES = Number(process.env.BENCH_IRC_C10K_SAMPLES ?? 1000);

interface Memory {
  /** RSS per measured client right after the last one joined, over the warmed-up baseline. */
  joined: number;
  /** RSS per measured client once idle, over the warmed-up baseline (the marginal cost of a client). */
  idle: number;
  /** Private (anonymous) memory per measured client at the same moment: `idle` without pages mapped from files. */
  idlePrivate: number;
  /** RSS per client once idle over the empty server, warm-up clients counted: one-time costs included. */
  idleAverage: number;
  /** JS heap (+ external) per measured client, after a full GC. */
  heap: number;
}

interface Resident {
  rss: number;
  anonymous: number;
}

/**
 * The server's memory once it is idle. V8's memory reducer gives the young generation back once a
 * collection has seen the allocation rate drop, and some seconds later. An idle server's clients bring such a
 * collection with their next ping; here one is asked for 5 s in (the same call is a no-op for ngircd). Past
 * IDLE_SECONDS, wait on (up to twice as long) while the RSS is still falling.
 */
async function settle(server: IRCBenchServer): Promise<Resident> {
  await sleep(5000);
  await server.gc();
  await sleep(Math.max(0, IDLE_SECONDS - 5) * 1000);
  let rss = rssBytes(server.pid);
  let anonymous = privateBytes(server.pid);
  for (let waited = 0; waited < IDLE_SECONDS; waited += 3) {
    await sleep(3000);
    const now = rssBytes(server.pid);
    if (now >= rss) break;
    rss = now;
    anonymous = privateBytes(server.pid);
  }
  return { rss, anonymous };
}

/**
 * Pays a server's one-time costs before the measured clients come: `WARM_CLIENTS` clients register, join
 * `#<prefix>warm` and one of them sends `WARM_LINES` lines to the others. They stay connected.
 */
async function warmUp(server: IRCBenchServer, prefix: string): Promise<Member[]> {
  const warm = await joinMembers(server.port, WARM_CLIENTS, `${prefix}w`, () => `#${prefix}warm`);
  if (warm.length > 1) {
    const all = Promise.all(warm.slice(1).map((m) => m.expect(WARM_LINES)));
    let lines = '';
    for (let i = 0; i < WARM_LINES; i++) lines += `PRIVMSG #${prefix}warm :warm-up line ${i}\r\n`;
    warm[0].socket.write(lines);
    await all;
  }
  return warm;
}

/**
 * Connects `count` members with `connect` after a warm-up (see {@link warmUp}), measuring the server's memory
 * per member: over the warmed-up idle baseline (marginal), and over the empty server (average).
 */
async function memoryOf(server: IRCBenchServer, prefix: string, count: number, connect: () => Promise<Member[]>): Promise<{ members: Member[]; warm: Member[]; memory: Memory }> {
  await server.gc();
  const empty = rssBytes(server.pid);
  const warm = await warmUp(server, prefix);
  const heapBefore = await server.gc();
  const before = await settle(server);
  const members = await connect();
  await sleep(500);
  const heap = ((await server.gc()) - heapBefore) / count;
  const joined = (rssBytes(server.pid) - before.rss) / count;
  const idle = await settle(server);
  return {
    members,
    warm,
    memory: {
      joined,
      idle: (idle.rss - before.rss) / count,
      idlePrivate: (idle.anonymous - before.anonymous) / count,
      idleAverage: (idle.rss - empty) / (count + warm.length),
      heap,
    },
  };
}

/** The memory per client of `CLIENTS` members joining one channel (see {@link memoryOf}). */
async function measureMemory(server: IRCBenchServer): Promise<Memory> {
  const { members, warm, memory } = await memoryOf(server, 'f', CLIENTS, () => joinMembers(server.port, CLIENTS, 'm', () => '#bench'));
  for (const m of [...members, ...warm]) m.socket.destroy();
  return memory;
}

/**
 * One fan-out round on a fresh `server`: `CLIENTS` members join `#bench`, the sender sends `WARM_BURSTS` then
 * `BURSTS` bursts of `PER_BURST` lines, each once every member has had the last. Gives the measured bursts'
 * deliveries per second and the server's CPU nanoseconds per delivery.
 */
async function fanOutRound(server: IRCBenchServer): Promise<{ rate: number; cpu: number }> {
  pin(server.pid, SERVER_CORE);
  const sender = new Member(server.port, 'sender', '');
  const members: Member[] = [];
  try {
    await sender.until(' 376 ');
    if (server.oper) {
      sender.socket.write(`${server.oper}\r\nMODE sender +F\r\n`);
      await sender.until(':+F');
    }
    sender.socket.write('JOIN #bench\r\n');
    await sender.until(' 366 ');
    members.push(...(await joinMembers(server.port, CLIENTS, 'm', () => '#bench')));
    const burst = async (): Promise<void> => {
      const all = Promise.all(members.map((m) => m.expect(PER_BURST)));
      let lines = '';
      for (let i = 0; i < PER_BURST; i++) lines += `PRIVMSG #bench :fan-out message number ${i} of the benchmark\r\n`;
      sender.socket.write(lines);
      await all;
    };
    for (let b = 0; b < WARM_BURSTS; b++) await burst();
    const cpu0 = cpuSeconds(server.pid);
    const start = performance.now();
    for (let b = 0; b < BURSTS; b++) await burst();
    const seconds = (performance.now() - start) / 1000;
    const deliveries = BURSTS * PER_BURST * CLIENTS;
    return { rate: deliveries / seconds, cpu: ((cpuSeconds(server.pid) - cpu0) * 1e9) / deliveries };
  } finally {
    for (const m of [...members, sender]) m.socket.destroy();
  }
}

async function measureC10K(server: IRCBenchServer): Promise<{ memory: Memory; p50: number; p99: number }> {
  const { members, warm, memory } = await memoryOf(server, 'k', C10K, () => joinMembers(server.port, C10K, 'c', (i) => `#c${i % C10K_CHANNELS}`));
  try {
    const times: number[] = [];
    for (let s = 0; s < C10K_SAMPLES; s++) {
      // Member i is in channel i % C10K_CHANNELS: a sender and another member of its channel, at random.
      const from = Math.floor(Math.random() * C10K);
      const hop = 1 + Math.floor(Math.random() * Math.max(1, Math.floor(C10K / C10K_CHANNELS) - 1));
      const to = (from + hop * C10K_CHANNELS) % C10K;
      const marker = `sample-${s}-${from}`;
      const arrived = members[to === from ? (from + C10K_CHANNELS) % C10K : to].await(marker);
      const start = performance.now();
      members[from].socket.write(`PRIVMSG #c${from % C10K_CHANNELS} :${marker}\r\n`);
      await arrived;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return { memory, p50: at(0.5), p99: at(0.99) };
  } finally {
    for (const m of [...members, ...warm]) m.socket.destroy();
  }
}

export default async function ircBench(): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-irc-bench-'));
  const script = await buildTorsionServer();
  const starts = [
    ['torsion', (fds?: number) => startTorsion(script, fds)],
    ['ngircd', (fds?: number) => startNgircd(dir, fds)],
  ] as const;
  const joined: Measurement[] = [];
  const idle: Measurement[] = [];
  const idlePrivate: Measurement[] = [];
  const idleAverage: Measurement[] = [];
  const c10k: { subject: string; memory: Memory; p50: number; p99: number }[] = [];
  let heap = NaN;
  const fanOut = { rate: { torsion: [] as number[], ngircd: [] as number[] }, cpu: { torsion: [] as number[], ngircd: [] as number[] } };
  try {
    for (const [subject, start] of FANOUT_ONLY ? [] : starts) {
      const server = await start();
      try {
        const memory = await measureMemory(server);
        joined.push({ subject, value: memory.joined, unit: 'bytes/client' });
        idle.push({ subject, value: memory.idle, unit: 'bytes/client' });
        idlePrivate.push({ subject, value: memory.idlePrivate, unit: 'bytes/client' });
        idleAverage.push({ subject, value: memory.idleAverage, unit: 'bytes/client' });
        if (subject === 'torsion') heap = memory.heap;
      } finally {
        server.stop();
      }
    }
    pin(process.pid, LOAD_CORE);
    await interleaved(['torsion', 'ngircd'] as const, async (subject) => {
      const server = await starts.find(([s]) => s === subject)![1]();
      try {
        const r = await fanOutRound(server);
        fanOut.rate[subject].push(r.rate);
        fanOut.cpu[subject].push(r.cpu);
        return r.rate;
      } finally {
        server.stop();
      }
    });
    // Each server process holds C10K sockets, and this process their other ends.
    if (C10K > 0) {
      for (const [subject, start] of starts) {
        const server = await start(C10K + 1000);
        try {
          c10k.push({ subject, ...(await measureC10K(server)) });
        } finally {
          server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const c10kCase = (what: string, unit: string, pick: (r: (typeof c10k)[number]) => number, goal?: string): BenchCase => ({
    name: `irc C10K, ${C10K} clients in ${C10K_CHANNELS} channels: ${what}`,
    higherIsBetter: false,
    goal,
    measurements: c10k.map((r) => ({ subject: r.subject, value: pick(r), unit })),
  });
  return [
    {
      name: `irc fan-out, ${CLIENTS} members in one channel`,
      higherIsBetter: true,
      goal: '>= 1x ngircd',
      measurements: [fromSamples('torsion', fanOut.rate.torsion, 'deliveries/s'), fromSamples('ngircd', fanOut.rate.ngircd, 'deliveries/s')],
    },
    {
      name: `irc fan-out, ${CLIENTS} members: server CPU per delivery (fresh server, ${WARM_BURSTS} warm-up then ${BURSTS} bursts of ${PER_BURST} lines)`,
      higherIsBetter: false,
      measurements: [fromSamples('torsion', fanOut.cpu.torsion, 'ns/delivery'), fromSamples('ngircd', fanOut.cpu.ngircd, 'ns/delivery')],
    },
    ...(FANOUT_ONLY
      ? []
      : [
          { name: `irc memory (RSS) per client, right after ${CLIENTS} joined (marginal, over ${WARM_CLIENTS} warm-up clients)`, higherIsBetter: false, measurements: joined },
          { name: `irc memory (RSS) per idle client (${CLIENTS}, after ${IDLE_SECONDS} s idle; marginal, over ${WARM_CLIENTS} warm-up clients)`, higherIsBetter: false, goal: '<= 1.5x ngircd', measurements: idle },
          { name: `irc private memory per idle client (${CLIENTS}, RSS less file-backed pages; marginal)`, higherIsBetter: false, measurements: idlePrivate },
          // The measure used before the marginal one: all growth from the empty server over all clients, so a
          // process's one-time costs (4 MB of the node binary's compiler code at 1,000 clients: 4 kB each) count.
          { name: `irc memory (RSS) per idle client (${CLIENTS}, average from the empty server, one-time costs included)`, higherIsBetter: false, measurements: idleAverage },
          // RSS also counts the V8 heap's spare room; this is what the connections hold.
          { name: 'irc JS heap per connected client', higherIsBetter: false, measurements: [{ subject: 'torsion', value: heap, unit: 'bytes/client' }] },
        ]),
    ...(c10k.length === 0
      ? []
      : [
          c10kCase(`RSS per idle client (marginal, over ${WARM_CLIENTS} warm-up clients)`, 'bytes', (r) => r.memory.idle),
          c10kCase('private memory per idle client (marginal)', 'bytes', (r) => r.memory.idlePrivate),
          c10kCase('RSS per idle client (average from the empty server, one-time costs included)', 'bytes', (r) => r.memory.idleAverage),
          c10kCase('message latency p50 while all connected', 'ms', (r) => r.p50),
          c10kCase('message latency p99 while all connected', 'ms', (r) => r.p99),
        ]),
  ];
}
