/**
 * FTP transfer speed: one file downloaded and uploaded over a loopback data connection by curl, from
 * `torsion ftp` (the plugin, in a child process), vsftpd (Debian) and pyftpdlib (Debian python3-pyftpdlib),
 * in the same run. The file is FTP_BENCH_MIB MiB (1024 by default, the issue's figure), served
 * from the same disk by all three (hard links of one file). Each figure is the median of the harness's
 * interleaved rounds (`BENCH_ROUNDS`), each transfer timed by curl from the transfer command to its end
 * (login and PASV left out). Servers run pinned to the server core, curl to the load core.
 *
 * All three write uploads to the same file system (the temporary folder), none of them syncs to disk, and
 * curl is the one client. Where this process may make cpuacct control groups (root, cgroup v1), each
 * server runs in its own and the bench also reports MiB per server CPU-second, which a loaded machine
 * hardly changes: a group counts the processes vsftpd forks for each session, which per-process counters
 * lose once those exit. A session's own cost (login and the like, see `sessionCost`) is left out of it.
 *
 * Downloads have a fourth subject, the floor of the runtime: a bare Node sender (bench/ftp/floor-server.mjs,
 * just enough FTP for curl) with the tightest send Node 20 has, blocking reads into one reused buffer written
 * without a copy. vsftpd and pyftpdlib send with `sendfile`, which Node does not offer for sockets; the floor
 * shows how near a Node server can come, and the bench prints the floor against vsftpd.
 */
import { linkSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, median, LOAD_CORE, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';
import { run } from '../src/ftp/test-support/run.js';
import { startPyftpdlib, startVsftpd, type PeerServer } from '../src/ftp/test-support/peer-servers.js';

const MIB = Number(process.env.FTP_BENCH_MIB ?? 1024);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SUBJECTS = ['torsion', 'vsftpd', 'pyftpdlib', 'node floor'] as const;
type Subject = (typeof SUBJECTS)[number];
/** The subjects of each direction: the floor sends only. */
const DIRECTIONS = { download: SUBJECTS, upload: SUBJECTS.filter((s) => s !== 'node floor') } as const;

function makeFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7919) & 255;
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  closeSync(fd);
}

async function startTorsion(root: string): Promise<PeerServer> {
  const program = await startPeerProgram({
    name: 'torsion ftp',
    executable: process.execPath,
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--conditions=torsion-source' },
    args: (port) => ['--import', 'tsx', 'src/cli/main.ts', 'ftp', '--listen', `tcp:${port}:interface=127.0.0.1`, '--root', root, '--auth', 'memory:bench:bench'],
    ready: /listening on/,
  });
  return { port: program.port, pid: program.transport.pid, user: 'bench', password: 'bench', home: root, caFile: null, log: () => program.output(), stop: () => program.stop() };
}

/** The bare Node sender (see the top of this file), serving `root`. */
async function startFloor(root: string): Promise<PeerServer> {
  const program = await startPeerProgram({
    name: 'node floor',
    executable: process.execPath,
    args: (port) => [join(REPO, 'bench/ftp/floor-server.mjs'), root, String(port)],
    ready: /listening on/,
  });
  return { port: program.port, pid: program.transport.pid, user: 'bench', password: 'bench', home: root, caFile: null, log: () => program.output(), stop: () => program.stop() };
}

/** A cpuacct control group holding one server and every process it forks; null where none can be made. */
class CpuAccount {
  private constructor(readonly dir: string) {}

  static adopt(pid: number | undefined): CpuAccount | null {
    if (pid === undefined) return null;
    const dir = `/sys/fs/cgroup/cpuacct/torsion-ftp-bench-${pid}`;
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
      return new CpuAccount(dir);
    } catch {
      return null;
    }
  }

  /** CPU seconds used by the group's processes, those gone included. */
  seconds(): number {
    return Number(readFileSync(join(this.dir, 'cpuacct.usage'), 'utf8')) / 1e9;
  }

  /** Removes the group (once its processes are gone). */
  remove(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // A process still in it keeps it; an empty group left behind costs nothing.
    }
  }
}

/**
 * The server CPU-seconds of a session that moves no file (login, SIZE, MDTM, QUIT): the median of three,
 * subtracted from each transfer's, so that vsftpd's fork and PAM login per session do not count as bytes.
 */
async function sessionCost(curl: string, server: PeerServer, account: CpuAccount | null): Promise<number> {
  if (account === null) return NaN;
  const costs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = account.seconds();
    const [command, argv] = onLoadCore(curl, ['-sS', '-I', '-o', '/dev/null', `ftp://${server.user}:${server.password}@127.0.0.1:${server.port}/big.bin`]);
    await run(command, argv, { timeout: 60 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    costs.push(account.seconds() - before);
  }
  return median(costs);
}

interface Sample {
  mbps: number;
  /** MiB per server CPU-second (NaN without a control group). */
  mibPerCpuSecond: number;
}

/** One curl transfer (`round` names the uploaded file): MB/s, and MiB per server CPU-second. */
async function speed(curl: string, server: PeerServer, account: CpuAccount | null, overhead: number, direction: 'download' | 'upload', local: string, round: number): Promise<Sample> {
  const url = `ftp://${server.user}:${server.password}@127.0.0.1:${server.port}`;
  const timing = ['-w', '%{time_pretransfer} %{time_total}'];
  const args = direction === 'download' ? ['-sS', ...timing, '-o', '/dev/null', `${url}/big.bin`] : ['-sS', ...timing, '-T', local, `${url}/up-${round}.bin`];
  const [command, argv] = onLoadCore(curl, args);
  const cpuBefore = account?.seconds() ?? NaN;
  const r = await run(command, argv, { timeout: 600 });
  // vsftpd's session process ends just after curl: let it go before reading the group's total.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const cpu = (account?.seconds() ?? NaN) - cpuBefore;
  if (r.code !== 0) throw new Error(`curl ${direction} from ${server.port} failed: ${r.stderr}\n${server.log().slice(-2000)}`);
  if (direction === 'upload') {
    const size = statSync(join(server.home, `up-${round}.bin`)).size;
    if (size !== MIB * 1024 * 1024) throw new Error(`upload stored ${size} bytes`);
    rmSync(join(server.home, `up-${round}.bin`));
  }
  // The data phase only: from the transfer command to the end, login and PASV left out.
  const [pre, total] = r.stdout.trim().split(' ').map(Number);
  return { mbps: (MIB * 1024 * 1024) / 1e6 / (total - pre), mibPerCpuSecond: MIB / (cpu - overhead) };
}

export default async function ftpBench(): Promise<BenchCase[]> {
  const curl = requirePeer('curl', 'curl');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-ftp-bench-'));
  const servers: Array<[Subject, PeerServer]> = [];
  const accounts = new Map<PeerServer, CpuAccount | null>();
  const overheads = new Map<PeerServer, number>();
  try {
    const file = join(dir, 'big.bin');
    makeFile(file, MIB * 1024 * 1024);
    const torsionRoot = join(dir, 'torsion');
    mkdirSync(torsionRoot);
    servers.push(['torsion', await startTorsion(torsionRoot)]);
    servers.push(['vsftpd', await startVsftpd()]);
    servers.push(['pyftpdlib', await startPyftpdlib()]);
    const floorRoot = join(dir, 'floor');
    mkdirSync(floorRoot);
    servers.push(['node floor', await startFloor(floorRoot)]);
    for (const [, s] of servers) {
      linkSync(file, join(s.home, 'big.bin'));
      if (s.pid !== undefined) pin(s.pid, SERVER_CORE);
      accounts.set(s, CpuAccount.adopt(s.pid));
    }
    pin(process.pid, LOAD_CORE);
    for (const [, s] of servers) overheads.set(s, await sessionCost(curl, s, accounts.get(s) ?? null));
    const byName = Object.fromEntries(servers) as Record<Subject, PeerServer>;
    const cases: BenchCase[] = [];
    for (const direction of ['download', 'upload'] as const) {
      const subjects = DIRECTIONS[direction];
      const rounds: Record<string, Sample[]> = {};
      const samples = await interleaved(subjects, async (subject, round) => {
        const server = byName[subject];
        const sample = await speed(curl, server, accounts.get(server) ?? null, overheads.get(server) ?? NaN, direction, file, round);
        (rounds[subject] ??= []).push(sample);
        return sample.mbps;
      });
      cases.push({
        name: `ftp ${direction} ${MIB} MiB (curl, loopback)`,
        higherIsBetter: true,
        goal: '>= 0.9x vsftpd',
        measurements: subjects.map((subject) => fromSamples(subject, samples[subject], 'MB/s')),
      });
      const perCpu = subjects.every((subject) => rounds[subject].every((r) => Number.isFinite(r.mibPerCpuSecond)));
      if (perCpu)
        cases.push({
          name: `ftp ${direction} ${MIB} MiB per server CPU-second`,
          higherIsBetter: true,
          measurements: subjects.map((subject) => fromSamples(subject, rounds[subject].map((r) => r.mibPerCpuSecond), 'MiB/CPU-s')),
        });
      if (direction === 'download') {
        const ratio = (pick: (r: Sample) => number): string => {
          const each = rounds['node floor'].map((r, i) => pick(r) / pick(rounds.vsftpd[i]));
          return `${median(each).toFixed(2)}x (${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)})`;
        };
        console.error(`ftp: download, the node floor against vsftpd: ${ratio((r) => r.mbps)} MB/s${perCpu ? `, ${ratio((r) => r.mibPerCpuSecond)} per server CPU-second` : ''}`);
      }
    }
    return cases;
  } finally {
    for (const [, s] of servers) await s.stop().catch(() => undefined);
    for (const account of accounts.values()) account?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
