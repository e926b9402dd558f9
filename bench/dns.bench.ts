/**
 * DNS queries per second answered from a fixed zone: `torsion dns` vs `dnsmasq`, each in its own process
 * on a free loopback port pinned to the server core, driven by the same client (raw `node:dgram`, on the
 * load core) that keeps WINDOW queries in flight and counts the answers. The client encodes one query and
 * patches a new ID into a copy for each send, so its own cost stays small and equal for both. Both servers
 * are warmed up first; interleaved rounds even out machine noise. The same rounds also give replies per
 * server CPU-second, the figure that stays steady on a loaded machine. Skipped without dnsmasq.
 */
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage, makeQuery, A } from '../src/dns/index.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';
import { fromSamples, interleaved, LOAD_CORE, pin, SERVER_CORE, type BenchCase } from './harness.js';

const WINDOW = 32;
const WARM_MS = 300;
const MEASURE_MS = 1500;
const ZONE = `$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns1 hm 1 3600 600 86400 60\n  IN NS ns1\nns1 IN A 127.0.0.1\nwww IN A 192.0.2.80\n`;

/**
 * CPU seconds (user + system, all threads) process `pid` has used, from /proc; NaN elsewhere. Replies per
 * server CPU-second hardly depend on how much of a loaded machine the server got during a round.
 */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Round { perSecond: number; perCPUSecond: number }

/** Answers a second from the server at `port` (process `pid`), over WINDOW queries in flight, and per its CPU-second. */
async function measure(port: number, pid: number): Promise<Round> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const query = encodeMessage(makeQuery(0, 'www.example.test', A));
  let id = 0;
  let answered = 0;
  const send = (): void => {
    id = (id + 1) & 0xffff;
    const bytes = query.slice();
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
  const n = answered - start;
  const round = { perSecond: n / ((performance.now() - t0) / 1000), perCPUSecond: n / (cpuSeconds(pid) - c0) };
  socket.close();
  return round;
}

async function startTorsion(zoneFile: string): Promise<{ port: number; child: ChildProcess }> {
  const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--conditions', 'torsion-source', '--import', 'tsx', main, 'dns', '--port', '0', '--interface', '127.0.0.1', '--rate-limit', '0', '--bindzone', zoneFile],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`torsion dns exited with ${code}: ${log}`)));
  });
  return { port, child };
}

export default async function dnsBench(): Promise<BenchCase[]> {
  let dnsmasqPath: string;
  try { dnsmasqPath = requirePeer('dnsmasq', 'dnsmasq'); } catch { return []; }
  const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-bench-'));
  writeFileSync(join(dir, 'zone'), ZONE);
  const torsion = await startTorsion(join(dir, 'zone'));
  const dnsmasq = await startPeerProgram({
    executable: dnsmasqPath,
    args: (port) => ['-k', '-p', String(port), '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--user=root',
      '--address=/www.example.test/192.0.2.80', '--dns-forward-max=1000'],
  });
  pin(torsion.child.pid!, SERVER_CORE);
  if (dnsmasq.transport.pid !== undefined) pin(dnsmasq.transport.pid, SERVER_CORE);
  pin(process.pid, LOAD_CORE);
  const servers = { torsion: [torsion.port, torsion.child.pid!], dnsmasq: [dnsmasq.port, dnsmasq.transport.pid ?? 0] } as const;
  const perCPU: Record<'torsion' | 'dnsmasq', number[]> = { torsion: [], dnsmasq: [] };
  let rates: Record<'torsion' | 'dnsmasq', number[]>;
  try {
    await measure(...servers.torsion);
    await measure(...servers.dnsmasq);
    rates = await interleaved(['torsion', 'dnsmasq'] as const, async (subject) => {
      const round = await measure(...servers[subject]);
      perCPU[subject].push(round.perCPUSecond);
      return round.perSecond;
    });
  } finally {
    torsion.child.kill('SIGTERM');
    await dnsmasq.stop();
  }
  return [{
    name: `DNS A queries/s from a fixed zone over UDP, ${WINDOW} in flight`,
    higherIsBetter: true,
    goal: '>= 1x dnsmasq',
    measurements: [
      fromSamples('torsion', rates.torsion, 'queries/s'),
      fromSamples('dnsmasq', rates.dnsmasq, 'queries/s'),
    ],
  }, {
    name: 'DNS A replies per server CPU-second (same rounds)',
    higherIsBetter: true,
    goal: '>= 1x dnsmasq',
    measurements: [
      fromSamples('torsion', perCPU.torsion, 'replies/CPU-s'),
      fromSamples('dnsmasq', perCPU.dnsmasq, 'replies/CPU-s'),
    ],
  }];
}
