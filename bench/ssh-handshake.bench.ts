/**
 * SSH handshakes per second over loopback TCP (curve25519-sha256, ssh-ed25519 host key): Torsion's client
 * against Torsion's server (in a child process pinned to the server core), then the same client against
 * OpenSSH's `sshd`, same run. A handshake is a TCP connection, version exchange and key exchange up to
 * NEWKEYS, then a disconnect; `SSH_HANDSHAKES` (default 50) of them, one after another, for each server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.js';
import { pin, SERVER_CORE } from './harness.js';
import { TCPClientEndpoint, connectProtocol, reactor } from '../src/internet/index.js';
import { Key, SSHClientTransport } from '../src/ssh/index.js';
import { requirePeer, startPeerProgram } from '../src/testing/index.js';

const COUNT = Number(process.env.SSH_HANDSHAKES ?? 50);
const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'] };

async function handshakesPerSecond(port: number, hostKeyLine: string): Promise<number> {
  const expected = Key.fromString(hostKeyLine).publicKey;
  const start = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const transport = new SSHClientTransport({ algorithms, verifyHostKey: (key) => key.equals(expected) });
    await connectProtocol(new TCPClientEndpoint(reactor, '127.0.0.1', port), transport);
    await transport.whenSecure();
    const closed = transport.whenClosed();
    transport.transport.loseConnection();
    await closed;
  }
  return COUNT / ((performance.now() - start) / 1000);
}

export default async function (): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-bench-ssh-handshake-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const torsion = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, 'ssh', '--listen', 'tcp:0:interface=127.0.0.1', '--host-key', join(dir, 'torsion_host_key'), '--auth', 'memory:bench:bench', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  let sshd: Awaited<ReturnType<typeof startPeerProgram>> | undefined;
  try {
    let log = '';
    torsion.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /listening on \S+ \(TCP:127\.0\.0\.1:(\d+)\)/.exec(log);
        if (m) {
          clearInterval(timer);
          resolve(Number(m[1]));
        }
      }, 20);
      torsion.on('exit', (code) => reject(new Error(`torsion ssh exited with ${code}: ${log}`)));
    });
    pin(torsion.pid!, SERVER_CORE);
    const torsionKey = (await Key.fromFile(join(dir, 'torsion_host_key'))).publicKey.toString();
    const ours = await handshakesPerSecond(port, torsionKey);

    const sshdPath = requirePeer('/usr/sbin/sshd', 'openssh-server');
    mkdirSync('/run/sshd', { recursive: true });
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'sshd_host_key')]);
    sshd = await startPeerProgram({
      executable: sshdPath,
      name: 'sshd',
      args: (p) => {
        const config = [`Port ${p}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'sshd_host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`, 'UsePAM no', 'MaxStartups 100'];
        writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
        return ['-D', '-e', '-f', join(dir, 'sshd_config')];
      },
      ready: /Server listening on 127\.0\.0\.1/,
    });
    const sshdKey = readFileSync(join(dir, 'sshd_host_key.pub'), 'utf8').trim();
    const theirs = await handshakesPerSecond(sshd.port, sshdKey);
    return [
      {
        name: `ssh handshakes over loopback TCP (curve25519-sha256, ssh-ed25519), Torsion's client, ${COUNT} in a row`,
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: ours, unit: 'handshakes/s' },
          { subject: 'sshd', value: theirs, unit: 'handshakes/s' },
        ],
      },
    ];
  } finally {
    torsion.kill();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
