/**
 * XMPP: stanza parsing throughput, Torsion's `XMLStreamParser` against `ltx` (xmpp.js's parser), in this
 * process; then logins per second (STARTTLS, SASL, resource binding) and groupchat deliveries per second
 * through one MUC room of 20 and of 500 occupants, Torsion's words XMPP door (in a child process) against
 * Prosody (Debian package `prosody`, with its MUC component) in the same run, both driven by the same
 * client: Torsion's `XMPPClient` in this process. Both log in with SCRAM at 4,096 PBKDF2 iterations: the
 * words door with SCRAM-SHA-256 (the keys made at registration), Prosody with SCRAM-SHA-1 (the one hash it
 * keeps). `XMPP_BENCH_CASES=parser,logins,muc,muc500` picks cases (all by default). The MUC cases count
 * deliveries per second and per CPU-second of the server process.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { clientFromString, connectProtocol, reactor } from '../src/internet/index.js';
import { XMPPClient } from '../src/xmpp/client/client.js';
import type { Element } from '../src/xmpp/element.js';
import { startProsody } from '../src/xmpp/test-support/prosody.js';
import { fromSamples, interleaved, opsPerSecond, type BenchCase } from './harness.js';
import { loadLtx, ltxParse, parserInput, torsionParse } from './support/xmpp-parse.js';

const ACCOUNTS = Number(process.env.XMPP_BENCH_OCCUPANTS ?? 20);
const BIG_ROOM = Number(process.env.XMPP_BENCH_BIG_ROOM ?? 500);
const LOGINS = Number(process.env.XMPP_BENCH_LOGINS ?? 20);
const MESSAGES = Number(process.env.XMPP_BENCH_MESSAGES ?? 500);
const BIG_ROOM_MESSAGES = Number(process.env.XMPP_BENCH_BIG_ROOM_MESSAGES ?? 100);
const PARSED_STANZAS = Number(process.env.XMPP_BENCH_STANZAS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The big room is slow to fill (each join's presences reach every occupant, n² in all, through one client process): one round unless asked. */
const BIG_ROOM_ROUNDS = Number(process.env.XMPP_BENCH_BIG_ROOM_ROUNDS ?? 1);
/** Logins and room joins in flight at once while filling a room. */
const LOGIN_PARALLEL = Number(process.env.XMPP_BENCH_LOGIN_PARALLEL ?? 16);
const JOIN_PARALLEL = Number(process.env.XMPP_BENCH_JOIN_PARALLEL ?? 16);
const CASES = new Set((process.env.XMPP_BENCH_CASES ?? 'parser,logins,muc,muc500').split(','));
const SCRAM_ITERATIONS = 4096;

interface Target {
  port: number;
  cert: string;
  /** The server's process, whose CPU time a round counts. */
  pid: number | undefined;
  stop(): Promise<void> | void;
}

/**
 * CPU seconds (user + system) process `pid` has used, from /proc; NaN elsewhere. Deliveries per server
 * CPU-second hardly depend on how much of a loaded machine the server got during a round.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function startTorsion(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/xmpp-server.ts', import.meta.url).pathname, String(Math.max(ACCOUNTS, BIG_ROOM)), String(SCRAM_ITERATIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { port, cert } = JSON.parse(line) as { port: number; cert: string };
  return { port, cert, pid: child.pid, stop: () => void child.kill() };
}

async function login(target: Target, i: number, resource: string): Promise<XMPPClient> {
  const client = new XMPPClient({ jid: `user${i}@localhost`, password: `pw${i}`, resource, clock: reactor, tlsOptions: { ca: target.cert } });
  await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${target.port}`), client);
  await client.ready;
  if (!client.saslMechanism?.startsWith('SCRAM-')) throw new Error(`logged in with ${client.saslMechanism}, not SCRAM`);
  return client;
}

/** Logs `n` clients in, `parallel` at a time. */
async function loginAll(target: Target, n: number, resource: string, parallel = LOGIN_PARALLEL): Promise<XMPPClient[]> {
  const clients: XMPPClient[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        clients[i] = await login(target, i, resource);
      }
    }),
  );
  return clients;
}

/** Logins per second: LOGINS full logins, 4 at a time, each closed once bound. */
async function loginRate(target: Target, round: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < LOGINS) {
        const i = next++;
        const c = await login(target, i % ACCOUNTS, `login-${round}-${i}`);
        c.close();
      }
    }),
  );
  return LOGINS / ((performance.now() - start) / 1000);
}

/**
 * Groupchat deliveries per second: `occupants` in one room, one of them sends `messages` lines, until every
 * occupant has them all. The deliveries per CPU-second of the server process go to `perCpu`.
 */
async function mucRate(subject: string, target: Target, round: number, occupants: number, messages: number, perCpu: number[]): Promise<number> {
  const room = `bench${occupants}x${round}@conference.localhost`;
  const t0 = performance.now();
  const clients = await loginAll(target, occupants, `muc-${occupants}-${round}`);
  const loggedIn = performance.now();
  const received = new Array<number>(occupants).fill(0);
  // Every occupant's presence reaches every occupant; the lines are sent once all have arrived, so the
  // server is not still sending the last joins' presences while its CPU time is counted.
  let settled!: () => void;
  const allSeen = new Promise<void>((r) => (settled = r));
  let seenAll = 0;
  const joined = clients.map(
    (c, i) =>
      new Promise<void>((resolve) => {
        const seen = new Set<string>();
        c.presenceReceived = (p: Element) => {
          const from = p.getAttribute('from');
          if (!from?.startsWith(`${room}/`) || p.getAttribute('type') !== undefined) return;
          if (from === `${room}/u${i}` && p.toXML().includes('code="110"')) resolve();
          if (seen.size < occupants && seen.add(from).size === occupants && ++seenAll === occupants) settled();
        };
      }),
  );
  // JOIN_PARALLEL joins at a time: each join's presences reach everyone in the room, so all at once would be a storm of presences; one at a time waits a round trip per occupant.
  let nextJoin = 0;
  await Promise.all(
    Array.from({ length: JOIN_PARALLEL }, async () => {
      while (nextJoin < occupants) {
        const i = nextJoin++;
        clients[i]!.joinRoom(room, `u${i}`);
        await joined[i];
      }
    }),
  );
  await allSeen;
  const filled = performance.now();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  let complete = 0;
  clients.forEach((c, i) => {
    c.messageReceived = (m: Element) => {
      if (m.getAttribute('type') !== 'groupchat' || !m.getChildText('body')?.startsWith('line ')) return;
      if (++received[i]! === messages && ++complete === occupants) done();
    };
  });
  const start = performance.now();
  const cpuBefore = cpuSeconds(target.pid);
  for (let n = 0; n < messages; n++) clients[0]!.sendGroupMessage(room, `line ${n}`);
  await all;
  const rate = (messages * occupants) / ((performance.now() - start) / 1000);
  perCpu.push((messages * occupants) / (cpuSeconds(target.pid) - cpuBefore));
  console.error(`xmpp.bench: MUC ${occupants} ${subject} round ${round + 1}: logins ${((loggedIn - t0) / 1000).toFixed(1)} s, joins ${((filled - loggedIn) / 1000).toFixed(1)} s, ${rate.toFixed(0)} deliveries/s, ${perCpu.at(-1)!.toFixed(0)} per server CPU-second`);
  for (const c of clients) c.close();
  await new Promise((r) => setTimeout(r, 300 + occupants * 2));
  return rate;
}

/** Stanzas parsed per second by Torsion's stream parser and by ltx, interleaved, each on the same chunks. */
async function parserCase(): Promise<BenchCase> {
  const input = parserInput(PARSED_STANZAS);
  const ltx = await loadLtx();
  const parse = { torsion: () => torsionParse(input), ltx: () => ltxParse(ltx, input) };
  const rates = await interleaved(['torsion', 'ltx'] as const, (s) => opsPerSecond(parse[s], PARSED_STANZAS, 1), Math.max(ROUNDS, 5));
  return {
    name: `XMPP stanza parsing (${PARSED_STANZAS} stanzas in 16 KiB chunks into element trees; Torsion's own restricted-XML tokenizer with the RFC 6120 limits, ltx as xmpp.js drives it)`,
    higherIsBetter: true,
    goal: '>= 1x ltx',
    measurements: (['torsion', 'ltx'] as const).map((s) => fromSamples(s, rates[s], 'stanzas/s')),
  };
}

/** The MUC rate of both servers in interleaved rounds: deliveries per second, and per CPU-second of the server. */
async function mucCases(targets: Record<'torsion' | 'prosody', Target>, occupants: number, messages: number, rounds: number): Promise<BenchCase[]> {
  const subjects = ['torsion', 'prosody'] as const;
  const perCpu: Record<'torsion' | 'prosody', number[]> = { torsion: [], prosody: [] };
  const wall = await interleaved(subjects, (s, round) => mucRate(s, targets[s], round, occupants, messages, perCpu[s]), rounds);
  const room = `(${occupants} occupants, ${messages} lines from one)`;
  return [
    { name: `XMPP MUC groupchat deliveries/s ${room}`, higherIsBetter: true, goal: '>= 1x Prosody', measurements: subjects.map((s) => fromSamples(s, wall[s], 'deliveries/s')) },
    { name: `XMPP MUC groupchat deliveries per server CPU-second ${room}`, higherIsBetter: true, goal: '>= 1x Prosody', measurements: subjects.map((s) => fromSamples(s, perCpu[s], 'deliveries/CPU-s')) },
  ];
}

export default async function xmppBench(): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  if (CASES.has('parser')) cases.push(await parserCase());
  if (!['logins', 'muc', 'muc500'].some((c) => CASES.has(c))) return cases;
  const prosodyAccounts = Object.fromEntries(Array.from({ length: Math.max(ACCOUNTS, BIG_ROOM) }, (_, i) => [`user${i}`, `pw${i}`]));
  const targets: Record<'torsion' | 'prosody', Target> = { torsion: await startTorsion(), prosody: await startProsody(prosodyAccounts, { iterations: SCRAM_ITERATIONS }) };
  const subjects = ['torsion', 'prosody'] as const;
  try {
    if (CASES.has('logins')) {
      const logins = await interleaved(subjects, (s, round) => loginRate(targets[s], round), ROUNDS);
      cases.push({
        name: `XMPP logins/s (STARTTLS + SCRAM + bind, 4 at a time; Torsion SCRAM-SHA-256, Prosody SCRAM-SHA-1, ${SCRAM_ITERATIONS} iterations each)`,
        higherIsBetter: true,
        measurements: subjects.map((s) => fromSamples(s, logins[s], 'logins/s')),
      });
    }
    const muc = (occupants: number, messages: number, rounds: number): Promise<BenchCase[]> => mucCases(targets, occupants, messages, rounds);
    if (CASES.has('muc')) cases.push(...(await muc(ACCOUNTS, MESSAGES, ROUNDS)));
    if (CASES.has('muc500')) cases.push(...(await muc(BIG_ROOM, BIG_ROOM_MESSAGES, BIG_ROOM_ROUNDS)));
    return cases;
  } finally {
    await targets.torsion.stop();
    await targets.prosody.stop();
  }
}
