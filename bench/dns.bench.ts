/**
 * DNS queries per second answered from a fixed zone: `torsion dns` vs `dnsmasq`, each in its own process on
 * a free loopback port pinned to the server core, driven by the same client on the load core, which keeps
 * WINDOW queries in flight (one query, a new ID per send) and counts the answers. A third subject, a bare
 * `node:dgram` responder that sends back one fixed reply (bench/dns/dgram-responder.mjs), shows the least
 * a Node process can spend per query: how close Torsion is to what Node allows.
 *
 * The client is bench/dns/loadgen.c, compiled here with the system C compiler: a Node client costs about
 * what a Node server does per datagram, so it could not keep dnsmasq busy and would cap both rates alike.
 * Without a compiler the Node client below is used (and the case name says so).
 *
 * dnsmasq answers from a `--host-record` with the zone's TTL (its cache, authoritative flag set), without
 * logging; the bench checks that both servers give the same answer before measuring. Interleaved rounds
 * even out machine noise; the same rounds give replies per server CPU-second (user + system), the figure
 * that stays steady on a loaded machine, and the user/system split per query is printed on stderr.
 * Skipped without dnsmasq.
 */
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeMessage, encodeMessage, makeQuery, A } from '../src/dns/index.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';
import { buildCProgram } from './support/bundle.js';
import { fromSamples, interleaved, LOAD_CORE, median, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';

const WINDOW = 32;
const WARM_MS = 300;
const MEASURE_MS = 1500;
const ZONE = `$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns1 hm 1 3600 600 86400 60\n  IN NS ns1\nns1 IN A 127.0.0.1\nwww IN A 192.0.2.80\n`;
const QUERY = encodeMessage(makeQuery(0, 'www.example.test', A));
const SUBJECTS = ['torsion', 'dnsmasq', 'node:dgram'] as const;
type Subject = (typeof SUBJECTS)[number];

/** CPU seconds (user, system; all threads) process `pid` has used, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): { user: number; system: number } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: NaN, system: NaN };
  }
}

interface Round { perSecond: number; perCPUSecond: number; userMicros: number; systemMicros: number }

function round(answers: number, seconds: number, pid: number, c0: { user: number; system: number }): Round {
  const c1 = cpuSeconds(pid);
  const user = c1.user - c0.user;
  const system = c1.system - c0.system;
  return { perSecond: answers / seconds, perCPUSecond: answers / (user + system), userMicros: (user / answers) * 1e6, systemMicros: (system / answers) * 1e6 };
}

/** One round through the C load generator: it says when its measurement starts and ends. */
function measureWithLoadgen(loadgen: string, port: number, pid: number): Promise<Round> {
  const [command, args] = onLoadCore(loadgen, [String(port), String(WINDOW), String(WARM_MS), String(MEASURE_MS), Buffer.from(QUERY).toString('hex')]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let c0 = cpuSeconds(pid);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'start') c0 = cpuSeconds(pid);
      const done = /^done (\d+) ([\d.]+)$/.exec(line);
      if (done) resolve(round(Number(done[1]), Number(done[2]), pid, c0));
    });
    child.once('exit', (code) => reject(new Error(`loadgen exited with ${code}`)));
  });
}

/** One round through a `node:dgram` client in this process (when no C compiler is at hand). */
async function measureWithNode(port: number, pid: number): Promise<Round> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let id = 0;
  let answered = 0;
  const send = (): void => {
    id = (id + 1) & 0xffff;
    const bytes = QUERY.slice();
    bytes[0] = id >> 8;
    bytes[1] = id & 0xff;
    socket.send(bytes, port, '127.0.0.1');
  };
  socket.on('message', () => {
    answered++;
    send();
  });
  for (let i = 0; i < WINDOW; i++) send();
  await new Promise((r) => setTimeout(r, WARM_MS));
  const start = answered;
  const t0 = performance.now();
  const c0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const result = round(answered - start, (performance.now() - t0) / 1000, pid, c0);
  socket.close();
  return result;
}

/** The first line a child prints on `stream` that `pattern` matches, as its first group's number. */
function announced(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<number> {
  let log = '';
  return new Promise<number>((resolve, reject) => {
    child[stream]!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = pattern.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${child.spawnfile} exited with ${code}: ${log}`)));
  });
}

/** The reply of the server at `port` to QUERY. */
async function ask(port: number): Promise<Uint8Array> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      socket.once('message', (m) => resolve(m));
      setTimeout(() => reject(new Error(`no answer from 127.0.0.1:${port}`)), 5000).unref();
      socket.send(QUERY, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** What a reply says, apart from its ID and the RA bit (dnsmasq offers recursion, `torsion dns` here does not). */
function answerOf(reply: Uint8Array): string {
  const { answers, auth, rCode } = decodeMessage(reply);
  return JSON.stringify({ auth, rCode, answers: answers.map((rr) => [rr.name, rr.type, rr.ttl, (rr.payload as { address?: string }).address]) });
}

export default async function dnsBench(): Promise<BenchCase[]> {
  let dnsmasqPath: string;
  try { dnsmasqPath = requirePeer('dnsmasq', 'dnsmasq'); } catch { return []; }
  const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-bench-'));
  writeFileSync(join(dir, 'zone'), ZONE);
  const loadgen = buildCProgram(new URL('dns/loadgen.c', import.meta.url).pathname, 'bench-dns', 'loadgen');
  const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
  const torsion = spawn(process.execPath, ['--conditions', 'torsion-source', '--import', 'tsx', main, 'dns', '--port', '0', '--interface', '127.0.0.1', '--rate-limit', '0', '--bindzone', join(dir, 'zone')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let responder: ChildProcess | undefined;
  const dnsmasq = await startPeerProgram({
    executable: dnsmasqPath,
    args: (port) => ['-k', '-p', String(port), '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--user=root',
      '--host-record=www.example.test,192.0.2.80', '--local-ttl=300'],
  });
  const perSecond: Record<Subject, number[]> = { torsion: [], dnsmasq: [], 'node:dgram': [] };
  const perCPU: Record<Subject, number[]> = { torsion: [], dnsmasq: [], 'node:dgram': [] };
  const split: Record<Subject, [number, number][]> = { torsion: [], dnsmasq: [], 'node:dgram': [] };
  try {
    const torsionPort = await announced(torsion, 'stderr', /listening on udp 127\.0\.0\.1:(\d+)/);
    const reply = await ask(torsionPort);
    if (answerOf(await ask(dnsmasq.port)) !== answerOf(reply)) throw new Error(`dnsmasq and torsion dns answer differently: ${answerOf(await ask(dnsmasq.port))} vs ${answerOf(reply)}`);
    responder = spawn(process.execPath, [new URL('dns/dgram-responder.mjs', import.meta.url).pathname, Buffer.from(reply).toString('hex')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const responderPort = await announced(responder, 'stdout', /^(\d+)$/m);
    const servers: Record<Subject, [number, number]> = {
      torsion: [torsionPort, torsion.pid!],
      dnsmasq: [dnsmasq.port, dnsmasq.transport.pid ?? 0],
      'node:dgram': [responderPort, responder.pid!],
    };
    for (const s of SUBJECTS) pin(servers[s][1], SERVER_CORE);
    pin(process.pid, LOAD_CORE);
    const measure = (s: Subject): Promise<Round> => (loadgen !== undefined ? measureWithLoadgen(loadgen, ...servers[s]) : measureWithNode(...servers[s]));
    for (const s of SUBJECTS) await measure(s);
    await interleaved(SUBJECTS, async (s) => {
      const r = await measure(s);
      perSecond[s].push(r.perSecond);
      perCPU[s].push(r.perCPUSecond);
      split[s].push([r.userMicros, r.systemMicros]);
      return r.perSecond;
    });
  } finally {
    torsion.kill('SIGTERM');
    responder?.kill('SIGTERM');
    await dnsmasq.stop();
  }
  for (const s of SUBJECTS) {
    const user = median(split[s].map(([u]) => u));
    const system = median(split[s].map(([, k]) => k));
    console.error(`dns: ${s} CPU per query (median of rounds): ${user.toFixed(2)} µs user + ${system.toFixed(2)} µs system`);
  }
  const client = loadgen !== undefined ? 'C client' : 'node:dgram client (no C compiler)';
  return [{
    name: `DNS A queries/s from a fixed zone over UDP, ${WINDOW} in flight, ${client}`,
    higherIsBetter: true,
    goal: '>= 1x dnsmasq',
    measurements: SUBJECTS.map((s) => fromSamples(s, perSecond[s], 'queries/s')),
  }, {
    name: 'DNS A replies per server CPU-second, user + system (same rounds)',
    higherIsBetter: true,
    goal: '>= 1x dnsmasq',
    measurements: SUBJECTS.map((s) => fromSamples(s, perCPU[s], 'replies/CPU-s')),
  }];
}
