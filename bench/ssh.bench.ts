/**
 * SSH servers compared, each in its own process pinned to the server core, the same clients for all:
 * - bytes through one channel: OpenSSH's `ssh` runs `head -c N /dev/zero` on the server and counts what
 *   arrives, for `torsion ssh`, OpenSSH's `sshd` and a server made with the npm package `ssh2` (its exec
 *   piping `/bin/sh`'s stdout, as its users write it), with `aes256-gcm@openssh.com` and
 *   `chacha20-poly1305@openssh.com`. N is `BENCH_SSH_BYTES`: 512 MiB by default (64 MiB with `BENCH_QUICK`),
 *   half the issue's 1 GiB so that the whole file stays within about four minutes on a quiet machine; the
 *   ratios are per byte once warmed up, and `BENCH_SSH_BYTES=1073741824` gives the issue's figure.
 * - handshakes per second: Torsion's client (curve25519-sha256, ssh-ed25519) connecting, exchanging keys up
 *   to NEWKEYS and disconnecting, `SSH_HANDSHAKES` times in a row (50; 20 with `BENCH_QUICK`).
 * - the client side: Torsion's `SSHClient` and the npm package `ssh2`'s client, each in this process, run
 *   the same command on OpenSSH's `sshd` and count what arrives, with the same two ciphers.
 * Besides MB/s (wall time, which follows the machine's load), each throughput case has a CPU twin in
 * milliseconds per MiB: for a server, its process with the children it reaped (`/proc/PID/stat` utime,
 * stime, cutime, cstime: sshd's per-connection processes and every server's `sh` and `head` alike); for a
 * client, this process (`process.cpuUsage`).
 * Every case runs in interleaved rounds (`BENCH_ROUNDS`, default 3 here: a round moves 10 x N).
 * `BENCH_SSH_ONLY` (a comma-separated list of `server`, `client`, `handshakes`) runs only those parts, in a
 * RESULTS.md section of its own: `BENCH_SSH_ONLY=client` checks the client goal alone, in a third of the time.
 * Skipped when OpenSSH is missing.
 */
import { spawnSync, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, onLoadCore, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { createRequire } from 'node:module';
import { Deferred } from '../src/defer/index.js';
import { Protocol, TCPClientEndpoint, connectProtocol, reactor } from '../src/internet/index.js';
import { Key, SSHClient, SSHClientTransport } from '../src/ssh/index.js';
import { startPeerProgram, type PeerProgram } from '../src/testing/index.js';

const QUICK = process.env.BENCH_QUICK !== undefined && process.env.BENCH_QUICK !== '' && process.env.BENCH_QUICK !== '0';
const BYTES = Number(process.env.BENCH_SSH_BYTES ?? (QUICK ? 64 : 512) * 1024 * 1024);
const HANDSHAKES = Number(process.env.SSH_HANDSHAKES ?? (QUICK ? 20 : 50));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CIPHERS = ['aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];
const SUBJECTS = ['torsion', 'OpenSSH sshd', 'ssh2'] as const;
type Subject = (typeof SUBJECTS)[number];
const CLIENTS = ['torsion', 'ssh2'] as const;
type ClientSubject = (typeof CLIENTS)[number];
const MIB = BYTES / 1048576;
const PARTS = ['server', 'client', 'handshakes'] as const;
const ONLY = (process.env.BENCH_SSH_ONLY ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
for (const part of ONLY) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`BENCH_SSH_ONLY: ${part} is not one of ${PARTS.join(', ')}`);
const runs = (part: (typeof PARTS)[number]) => ONLY.length === 0 || ONLY.includes(part);
/** A run of some parts only keeps its own RESULTS.md section. */
export const variant = ONLY.length === 0 ? undefined : ONLY.join('+');
/** Bytes of the transfer each server and client makes once before the rounds, so that none of them counts compiling and warming up its code. */
const WARM_UP_BYTES = Math.min(BYTES, 16 * 1048576);
const outputCommand = (bytes: number) => `head -c ${bytes} /dev/zero`;

/** CPU seconds of process `pid` and of the children it has reaped. */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds of this process. */
function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function delay(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** MB/s of `ssh ... head -c BYTES /dev/zero` counted by `wc -c`, the client on the load core. */
function sshRate(args: string[], bytes = BYTES): Promise<number> {
  const script = `ssh ${args.map((a) => `'${a}'`).join(' ')} '${outputCommand(bytes)}' | wc -c`;
  const [command, commandArgs] = onLoadCore('sh', ['-c', script]);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(command, commandArgs, { timeout: 1_800_000 }, (err, stdout, stderr) => {
      if (err || Number(stdout.trim()) !== bytes) reject(new Error(`ssh failed: ${err?.message ?? ''} ${stdout} ${stderr}`));
      else resolve(bytes / 1e6 / ((performance.now() - start) / 1000));
    });
  });
}

/** Counts a session's output; `done` fires with the count when the channel closes. */
class Counter extends Protocol {
  bytes = 0;
  readonly done = new Deferred<number>();
  override dataReceived(data: Uint8Array): void {
    this.bytes += data.length;
  }
  override connectionLost(): void {
    this.done.callback(this.bytes);
  }
}

/** MB/s of Torsion's `SSHClient` running the command on `port` with `cipher`. */
async function torsionClientRate(port: number, cipher: string, privateKey: string, knownHosts: string, bytes = BYTES): Promise<number> {
  const start = performance.now();
  const client = await SSHClient.connect({ host: '127.0.0.1', port, username: 'root', privateKey, knownHosts, acceptNewHostKeys: true, transport: { algorithms: { cipher: [cipher] } } });
  const counter = await client.openSession({ exec: outputCommand(bytes) }, new Counter());
  const received = await counter.done;
  await client.close();
  if (received !== bytes) throw new Error(`SSHClient received ${received} bytes, not ${bytes}`);
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

/** MB/s of the npm package `ssh2`'s client doing the same. */
function ssh2ClientRate(port: number, cipher: string, privateKey: string, bytes = BYTES): Promise<number> {
  const { Client } = createRequire(import.meta.url)('ssh2') as { Client: new () => any };
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(outputCommand(bytes), (err: Error | undefined, stream: any) => {
        if (err) return reject(err);
        let received = 0;
        stream.on('data', (data: Buffer) => (received += data.length));
        stream.stderr.resume();
        stream.on('close', () => {
          client.end();
          if (received !== bytes) reject(new Error(`ssh2 received ${received} bytes, not ${bytes}`));
          else resolve(bytes / 1e6 / ((performance.now() - start) / 1000));
        });
      });
    });
    client.connect({ host: '127.0.0.1', port, username: 'root', privateKey, algorithms: { cipher: [cipher] }, hostVerifier: () => true });
  });
}

async function handshakesPerSecond(port: number, hostKey: Key['publicKey']): Promise<number> {
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'] };
  const start = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const transport = new SSHClientTransport({ algorithms, verifyHostKey: (key) => key.equals(hostKey) });
    await connectProtocol(new TCPClientEndpoint(reactor, '127.0.0.1', port), transport);
    await transport.whenSecure();
    const closed = transport.whenClosed();
    transport.transport.loseConnection();
    await closed;
  }
  return HANDSHAKES / ((performance.now() - start) / 1000);
}

/** A Node program under tsx (the same way for `torsion ssh` and the ssh2 server), pinned once started. */
function nodeServer(name: string, script: string, args: (port: number) => string[], ready: RegExp): Promise<PeerProgram> {
  return startPeerProgram({
    executable: process.execPath,
    name,
    args: (port) => ['--import', import.meta.resolve('tsx'), script, ...args(port)],
    ready,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
}

export default async function (): Promise<BenchCase[]> {
  if (!has('ssh') || !has('/usr/sbin/sshd') || !has('ssh-keygen')) return [];
  const dir = mkdtempSync(join(tmpdir(), 'torsion-bench-ssh-'));
  const servers: PeerProgram[] = [];
  try {
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'keys'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
    const userPublic = readFileSync(join(dir, 'id_ed25519.pub'), 'utf8').trim();
    for (const user of ['bench', 'root']) writeFileSync(join(dir, 'keys', user), `${userPublic}\n`);
    const hostKey = (await Key.fromFile(join(dir, 'host_key'))).publicKey;
    mkdirSync('/run/sshd', { recursive: true });

    const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const torsion = await nodeServer(
      'torsion ssh',
      main,
      (port) => ['ssh', '--listen', `tcp:${port}:interface=127.0.0.1`, '--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', join(dir, 'root')],
      /listening on/,
    );
    servers.push(torsion);
    const ssh2 = await nodeServer('ssh2 server', fileURLToPath(new URL('./support/ssh2-server.ts', import.meta.url)), (port) => [String(port), join(dir, 'host_key'), userPublic], /listening/);
    servers.push(ssh2);
    const sshd = await startPeerProgram({
      executable: '/usr/sbin/sshd',
      name: 'sshd',
      args: (port) => {
        const config = [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`, 'UsePAM no', 'StrictModes no', 'MaxStartups 100', `AuthorizedKeysFile ${join(dir, 'keys')}/%u`];
        writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
        return ['-D', '-e', '-f', join(dir, 'sshd_config')];
      },
      ready: /Server listening on 127\.0\.0\.1/,
    });
    servers.push(sshd);
    for (const server of servers) if (server.transport.pid !== undefined) pin(server.transport.pid, SERVER_CORE);
    const port: Record<Subject, number> = { torsion: torsion.port, 'OpenSSH sshd': sshd.port, ssh2: ssh2.port };
    const user: Record<Subject, string> = { torsion: 'bench', 'OpenSSH sshd': 'root', ssh2: 'bench' };

    const common = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', join(dir, 'id_ed25519'), '-o', 'LogLevel=ERROR'];
    const pid: Record<Subject, number> = { torsion: torsion.transport.pid!, 'OpenSSH sshd': sshd.transport.pid!, ssh2: ssh2.transport.pid! };
    const cases: BenchCase[] = [];
    const keyText = readFileSync(join(dir, 'id_ed25519'), 'utf8');
    const knownHosts = join(dir, 'known_hosts');
    for (const cipher of CIPHERS) {
      if (runs('server')) for (const s of SUBJECTS) await sshRate([...common, '-o', `Ciphers=${cipher}`, '-p', String(port[s]), `${user[s]}@127.0.0.1`], WARM_UP_BYTES);
      if (!runs('client')) continue;
      await torsionClientRate(sshd.port, cipher, keyText, knownHosts, WARM_UP_BYTES);
      await ssh2ClientRate(sshd.port, cipher, keyText, WARM_UP_BYTES);
    }
    for (const cipher of runs('server') ? CIPHERS : []) {
      const cpu: Record<Subject, number[]> = { torsion: [], 'OpenSSH sshd': [], ssh2: [] };
      const rates = await interleaved(
        SUBJECTS,
        async (s) => {
          const before = processCpu(pid[s]);
          const rate = await sshRate([...common, '-o', `Ciphers=${cipher}`, '-p', String(port[s]), `${user[s]}@127.0.0.1`]);
          // sshd's per-connection process ends just after the client does: wait until it is reaped.
          await delay(0.3);
          cpu[s].push(((processCpu(pid[s]) - before) * 1000) / MIB);
          return rate;
        },
        ROUNDS,
      );
      const name = `ssh server, ${MIB} MiB of remote output to OpenSSH's ssh, ${cipher}`;
      cases.push({ name, higherIsBetter: true, goal: '>= 0.8x sshd, >= 1x ssh2', measurements: SUBJECTS.map((s) => fromSamples(s, rates[s], 'MB/s')) });
      cases.push({ name: `${name}, server CPU`, higherIsBetter: false, measurements: SUBJECTS.map((s) => fromSamples(s, cpu[s], 'ms/MiB')) });
    }
    for (const cipher of runs('client') ? CIPHERS : []) {
      const cpu: Record<ClientSubject, number[]> = { torsion: [], ssh2: [] };
      const rates = await interleaved(
        CLIENTS,
        async (s) => {
          const before = ownCpu();
          const rate = s === 'torsion' ? await torsionClientRate(sshd.port, cipher, keyText, knownHosts) : await ssh2ClientRate(sshd.port, cipher, keyText);
          cpu[s].push(((ownCpu() - before) * 1000) / MIB);
          return rate;
        },
        ROUNDS,
      );
      const name = `ssh client, ${MIB} MiB of remote output from OpenSSH's sshd, ${cipher}`;
      cases.push({ name, higherIsBetter: true, goal: '>= 1x ssh2', measurements: CLIENTS.map((s) => fromSamples(s, rates[s], 'MB/s')) });
      cases.push({ name: `${name}, client CPU`, higherIsBetter: false, measurements: CLIENTS.map((s) => fromSamples(s, cpu[s], 'ms/MiB')) });
    }
    if (!runs('handshakes')) return cases;
    const handshakes = await interleaved(SUBJECTS, (s) => handshakesPerSecond(port[s], hostKey), ROUNDS);
    cases.push({
      name: `ssh handshakes over loopback TCP (curve25519-sha256, ssh-ed25519), Torsion's client, ${HANDSHAKES} in a row`,
      higherIsBetter: true,
      measurements: SUBJECTS.map((s) => fromSamples(s, handshakes[s], 'handshakes/s')),
    });
    return cases;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
