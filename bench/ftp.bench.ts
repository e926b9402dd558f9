/**
 * FTP transfer speed: one file downloaded and uploaded over a loopback data connection by curl, from
 * `torsion ftp` (the plugin, in a child process), vsftpd (Debian) and pyftpdlib (Debian python3-pyftpdlib),
 * in the same run. The file is FTP_BENCH_MIB MiB (256 by default; the figure is 1024), served
 * from the same disk by all three (hard links of one file). Each figure is the median of the harness's
 * interleaved rounds (`BENCH_ROUNDS`), each transfer timed by curl from the transfer command to its end
 * (login and PASV left out). Servers run pinned to the server core, curl to the load core.
 */
import { linkSync, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, LOAD_CORE, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';
import { run } from '../src/ftp/test-support/run.js';
import { startPyftpdlib, startVsftpd, type PeerServer } from '../src/ftp/test-support/peer-servers.js';

const MIB = Number(process.env.FTP_BENCH_MIB ?? 256);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SUBJECTS = ['torsion', 'vsftpd', 'pyftpdlib'] as const;

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

/** MB/s of one curl transfer (`round` names the uploaded file). */
async function speed(curl: string, server: PeerServer, direction: 'download' | 'upload', local: string, round: number): Promise<number> {
  const url = `ftp://${server.user}:${server.password}@127.0.0.1:${server.port}`;
  const timing = ['-w', '%{time_pretransfer} %{time_total}'];
  const args = direction === 'download' ? ['-sS', ...timing, '-o', '/dev/null', `${url}/big.bin`] : ['-sS', ...timing, '-T', local, `${url}/up-${round}.bin`];
  const [command, argv] = onLoadCore(curl, args);
  const r = await run(command, argv, { timeout: 600 });
  if (r.code !== 0) throw new Error(`curl ${direction} from ${server.port} failed: ${r.stderr}\n${server.log().slice(-2000)}`);
  if (direction === 'upload') {
    const size = statSync(join(server.home, `up-${round}.bin`)).size;
    if (size !== MIB * 1024 * 1024) throw new Error(`upload stored ${size} bytes`);
    rmSync(join(server.home, `up-${round}.bin`));
  }
  // The data phase only: from the transfer command to the end, login and PASV left out.
  const [pre, total] = r.stdout.trim().split(' ').map(Number);
  return (MIB * 1024 * 1024) / 1e6 / (total - pre);
}

export default async function ftpBench(): Promise<BenchCase[]> {
  const curl = requirePeer('curl', 'curl');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-ftp-bench-'));
  const servers: Array<[(typeof SUBJECTS)[number], PeerServer]> = [];
  try {
    const file = join(dir, 'big.bin');
    makeFile(file, MIB * 1024 * 1024);
    const torsionRoot = join(dir, 'torsion');
    mkdirSync(torsionRoot);
    servers.push(['torsion', await startTorsion(torsionRoot)]);
    servers.push(['vsftpd', await startVsftpd()]);
    servers.push(['pyftpdlib', await startPyftpdlib()]);
    for (const [, s] of servers) {
      linkSync(file, join(s.home, 'big.bin'));
      if (s.pid !== undefined) pin(s.pid, SERVER_CORE);
    }
    pin(process.pid, LOAD_CORE);
    const byName = Object.fromEntries(servers) as Record<(typeof SUBJECTS)[number], PeerServer>;
    const cases: BenchCase[] = [];
    for (const direction of ['download', 'upload'] as const) {
      const samples = await interleaved(SUBJECTS, (subject, round) => speed(curl, byName[subject], direction, file, round));
      cases.push({
        name: `ftp ${direction} ${MIB} MiB (curl, loopback)`,
        higherIsBetter: true,
        goal: '>= 0.9x vsftpd',
        measurements: SUBJECTS.map((subject) => fromSamples(subject, samples[subject], 'MB/s')),
      });
    }
    return cases;
  } finally {
    for (const [, s] of servers) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
