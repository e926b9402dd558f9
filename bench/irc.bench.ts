/**
 * IRC server: Torsion's server (built JavaScript in a child process, see support/irc-peers.ts) against ngircd
 * (Debian package ngircd), in the same run, with the same load generator in this process.
 *
 * - Fan-out: `BENCH_IRC_CLIENTS` (1,000) raw TCP clients register, join one channel and count lines; one sender
 *   sends in rounds of 100 lines and waits for every member to have them all. Flood limits are off on both
 *   (ngircd: MaxPenaltyTime = 0 and the sender an operator with +F; Torsion: `flood: false`).
 * - Memory per registered client, twice: right after the join storm, and once the server has sat idle for
 *   `BENCH_IRC_IDLE` seconds (15, longer while its RSS still falls): V8 grows its young generation during the storm and gives it back only once
 *   the process is idle (its memory reducer, which needs one collection after the storm to see the quiet), so
 *   the first figure is mostly the storm's passing garbage room and the second is what an idle client holds. ngircd, which has no such heap, is measured the same way.
 * - Private memory per idle client beside the RSS: RSS also counts pages mapped from files, and a Node process
 *   maps about 4 MB more of the node binary (the optimizing compiler's code) once the storm's hot paths are
 *   optimized: at 1,000 clients that fixed cost alone is 4 kB per client (`--no-opt` makes it vanish).
 * - C10K: `BENCH_IRC_C10K` clients (10,000; 0 skips) in `BENCH_IRC_C10K_CHANNELS` channels (100): memory per
 *   client once idle, and the latency of a channel message from one member to another while all are
 *   connected (p50, p99 of `BENCH_IRC_C10K_SAMPLES` sequential ones, 1,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase, Measurement } from './harness.js';
import { buildTorsionServer, joinMembers, Member, privateBytes, rssBytes, sleep, startNgircd, startTorsion, type IRCBenchServer } from './support/irc-peers.js';

const CLIENTS = Number(process.env.BENCH_IRC_CLIENTS ?? 1000);
const ROUNDS = 10;
const PER_ROUND = 100;
const IDLE_SECONDS = Number(process.env.BENCH_IRC_IDLE ?? 15);
const C10K = Number(process.env.BENCH_IRC_C10K ?? 10_000);
const C10K_CHANNELS = Number(process.env.BENCH_IRC_C10K_CHANNELS ?? 100);
const C10K_SAMPLES = Number(process.env.BENCH_IRC_C10K_SAMPLES ?? 1000);

interface Memory {
  /** RSS per client right after the last one joined. */
  joined: number;
  /** RSS per client after `IDLE_SECONDS` of idleness. */
  idle: number;
  /** Private (anonymous) memory per client at the same moment: `idle` without the pages mapped from files. */
  idlePrivate: number;
  /** JS heap (+ external) per client, after a full GC. */
  heap: number;
}

/** Connects `count` members with `connect`, measuring the server's memory per member around it. */
async function memoryOf(server: IRCBenchServer, count: number, connect: () => Promise<Member[]>): Promise<{ members: Member[]; memory: Memory }> {
  const heapBefore = await server.gc();
  const before = rssBytes(server.pid);
  const privateBefore = privateBytes(server.pid);
  const members = await connect();
  await sleep(500);
  const heap = ((await server.gc()) - heapBefore) / count;
  const joined = (rssBytes(server.pid) - before) / count;
  // V8's memory reducer gives the young generation back once a collection has seen the allocation rate
  // drop, and some seconds later. An idle server's clients bring such a collection with their next ping; here
  // one is asked for 5 s in (the same call is a no-op for ngircd). Past IDLE_SECONDS, wait on (up to twice as
  // long) while the RSS is still falling.
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
  const idle = (rss - before) / count;
  return { members, memory: { joined, idle, idlePrivate: (anonymous - privateBefore) / count, heap } };
}

async function measureFanOut(server: IRCBenchServer): Promise<{ rate: number; memory: Memory }> {
  const sender = new Member(server.port, 'sender', '');
  await sender.until(' 376 ');
  if (server.oper) {
    sender.socket.write(`${server.oper}\r\nMODE sender +F\r\n`);
    await sender.until(':+F');
  }
  sender.socket.write('JOIN #bench\r\n');
  await sender.until(' 366 ');
  const { members, memory } = await memoryOf(server, CLIENTS, () => joinMembers(server.port, CLIENTS, 'm', () => '#bench'));

  const round = async (n: number): Promise<void> => {
    const all = Promise.all(members.map((m) => m.expect(n)));
    let lines = '';
    for (let i = 0; i < n; i++) lines += `PRIVMSG #bench :fan-out message number ${i} of the benchmark\r\n`;
    sender.socket.write(lines);
    await all;
  };
  await round(PER_ROUND);
  const start = performance.now();
  for (let r = 0; r < ROUNDS; r++) await round(PER_ROUND);
  const seconds = (performance.now() - start) / 1000;
  for (const m of [...members, sender]) m.socket.destroy();
  return { rate: (ROUNDS * PER_ROUND * CLIENTS) / seconds, memory };
}

async function measureC10K(server: IRCBenchServer): Promise<{ memory: Memory; p50: number; p99: number }> {
  const { members, memory } = await memoryOf(server, C10K, () => joinMembers(server.port, C10K, 'c', (i) => `#c${i % C10K_CHANNELS}`));
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
    for (const m of members) m.socket.destroy();
  }
}

export default async function ircBench(): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-irc-bench-'));
  const script = await buildTorsionServer();
  const starts = [
    ['torsion', (fds?: number) => startTorsion(script, fds)],
    ['ngircd', (fds?: number) => startNgircd(dir, fds)],
  ] as const;
  const rates: Measurement[] = [];
  const joined: Measurement[] = [];
  const idle: Measurement[] = [];
  const idlePrivate: Measurement[] = [];
  const c10k: { subject: string; memory: Memory; p50: number; p99: number }[] = [];
  let heap = NaN;
  try {
    for (const [subject, start] of starts) {
      const server = await start();
      try {
        const r = await measureFanOut(server);
        rates.push({ subject, value: r.rate, unit: 'deliveries/s' });
        joined.push({ subject, value: r.memory.joined, unit: 'bytes/client' });
        idle.push({ subject, value: r.memory.idle, unit: 'bytes/client' });
        idlePrivate.push({ subject, value: r.memory.idlePrivate, unit: 'bytes/client' });
        if (subject === 'torsion') heap = r.memory.heap;
      } finally {
        server.stop();
      }
    }
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
    { name: `irc fan-out, ${CLIENTS} members in one channel`, higherIsBetter: true, goal: '>= 1x ngircd', measurements: rates },
    { name: `irc memory (RSS) per client, right after ${CLIENTS} joined`, higherIsBetter: false, measurements: joined },
    { name: `irc memory (RSS) per idle client (${CLIENTS}, after ${IDLE_SECONDS} s idle)`, higherIsBetter: false, goal: '<= 1.5x ngircd', measurements: idle },
    // The same without file-backed pages: at 1,000 clients the RSS figure carries a few megabytes of the node
    // binary's code, paged in once when the join storm's hot paths are optimized (see privateBytes).
    { name: `irc private memory per idle client (${CLIENTS}, RSS less code pages)`, higherIsBetter: false, measurements: idlePrivate },
    // RSS also counts the V8 heap's spare room; this is what the connections hold.
    { name: 'irc JS heap per connected client', higherIsBetter: false, measurements: [{ subject: 'torsion', value: heap, unit: 'bytes/client' }] },
    ...(c10k.length === 0
      ? []
      : [
          c10kCase('RSS per idle client', 'bytes', (r) => r.memory.idle),
          c10kCase('private memory per idle client', 'bytes', (r) => r.memory.idlePrivate),
          c10kCase('message latency p50 while all connected', 'ms', (r) => r.p50),
          c10kCase('message latency p99 while all connected', 'ms', (r) => r.p99),
        ]),
  ];
}
