/**
 * Bytes through one SSH channel over loopback TCP, with OpenSSH's `ssh` as the client: `torsion ssh`'s
 * server (transport, user authentication, connection layer, the /bin/sh session) against OpenSSH's `sshd`,
 * the issue's goal being >= 0.8x `sshd`. The remote command is `head -c N /dev/zero`; N is
 * `BENCH_SSH_BYTES` (64 MiB by default; the issue's figure is 1 GiB). Skipped when OpenSSH is missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './harness.js';
import { InMemorySSHKeyDB, Portal, SSHPublicKeyChecker } from '../src/cred/index.js';
import { Factory, reactor } from '../src/internet/index.js';
import { startPeerProgram } from '../src/testing/index.js';
import { ConchRealm } from '../src/ssh/connection/avatar.js';
import { SSHServerTransport } from '../src/ssh/transport/server.js';
import { testSigningKey } from '../src/ssh/transport/test-support/host-keys.js';
import { SSHUserAuthServer } from '../src/ssh/userauth/server.js';

const BYTES = Number(process.env.BENCH_SSH_BYTES ?? 64 * 1024 * 1024);
const CIPHERS = ['aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** MB/s of `ssh ... head -c BYTES /dev/zero` into /dev/null. */
function sshRate(args: string[]): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', `ssh ${args.map((a) => `'${a}'`).join(' ')} 'head -c ${BYTES} /dev/zero' | wc -c`], { timeout: 600_000 }, (err, stdout, stderr) => {
      if (err || Number(stdout.trim()) !== BYTES) reject(new Error(`ssh failed: ${err?.message ?? ''} ${stdout} ${stderr}`));
      else resolve(BYTES / 1e6 / ((performance.now() - start) / 1000));
    });
  });
}

export default async function (): Promise<BenchCase[]> {
  if (!has('ssh') || !has('/usr/sbin/sshd') || !has('ssh-keygen')) return [];
  const dir = mkdtempSync(join(tmpdir(), 'torsion-bench-ssh-'));
  const userKey = testSigningKey('ecdsa-p256');
  const hostKey = testSigningKey('ed25519');
  const keyFile = join(dir, 'id_ecdsa');
  writeFileSync(keyFile, userKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'sshd_host_key')]);
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'root'), `${userKey.publicKey.toString()}\n`);
  mkdirSync('/run/sshd', { recursive: true });

  const portal = new Portal(new ConchRealm({ path: dir }), [new SSHPublicKeyChecker(new InMemorySSHKeyDB({ bench: [userKey.publicKey.toString()] }))]);
  const factory = new Factory();
  factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal }) } });
  const torsion = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  const torsionPort = (torsion.getHost() as unknown as { port: number }).port;
  const sshd = await startPeerProgram({
    executable: '/usr/sbin/sshd',
    name: 'sshd',
    args: (port) => {
      const config = [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'sshd_host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`, 'UsePAM no', 'StrictModes no', `AuthorizedKeysFile ${join(dir, 'keys')}/%u`];
      writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
      return ['-D', '-e', '-f', join(dir, 'sshd_config')];
    },
    ready: /Server listening on 127\.0\.0\.1/,
  });
  const common = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, '-o', 'LogLevel=ERROR'];
  const cases: BenchCase[] = [];
  try {
    for (const cipher of CIPHERS) {
      const args = [...common, '-o', `Ciphers=${cipher}`];
      cases.push({
        name: `ssh channel, ${BYTES / 1048576} MiB of remote output to OpenSSH's ssh, ${cipher}`,
        higherIsBetter: true,
        goal: '>= 0.8x sshd',
        measurements: [
          { subject: 'torsion', value: await sshRate([...args, '-p', String(torsionPort), 'bench@127.0.0.1']), unit: 'MB/s' },
          { subject: 'OpenSSH sshd', value: await sshRate([...args, '-p', String(sshd.port), 'root@127.0.0.1']), unit: 'MB/s' },
        ],
      });
    }
  } finally {
    await torsion.stopListening();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return cases;
}
