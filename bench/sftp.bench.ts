/**
 * SFTP download: a 64 MiB file fetched from OpenSSH's `sftp-server` (Debian package openssh-sftp-server,
 * run as a child process on its stdin/stdout) by Torsion's SFTPClient (`download`, READs as large as the
 * server allows, 255 KiB, 64 in flight), against the same file fetched by OpenSSH's own `sftp` client
 * talking to the same server program directly (`sftp -D`, no SSH; its defaults: 32 KiB requests, 64 in
 * flight). Both write the file to local disk as the answers arrive. Best of three runs each, same run.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './harness.js';
import { ProcessStreamProtocol, reactor, spawnProcess } from '../src/internet/index.js';
import { SFTPClient } from '../src/ssh/index.js';
import { requirePeer } from '../src/testing/index.js';

const SIZE = Number(process.env.SFTP_BENCH_MIB ?? 64) * 1024 * 1024;
const RUNS = 3;

async function torsionOnce(server: string, remote: string, local: string): Promise<number> {
  const start = performance.now();
  const client = new SFTPClient();
  const proto = new ProcessStreamProtocol(client, 'sftp-server', 'drain');
  spawnProcess(reactor, proto, server, ['sftp-server', '-d', remote], { path: remote, env: { PATH: '/usr/bin:/bin' } });
  await client.whenReady();
  // As `sftp get` does: each answer written at its offset in the local file as it arrives.
  const fd = openSync(join(local, 'torsion.bin'), 'w');
  let length: number;
  try {
    length = await client.download('big.bin', (data, offset) => writeSync(fd, data, 0, data.length, offset));
  } finally {
    closeSync(fd);
  }
  proto.transport?.loseConnection();
  const seconds = (performance.now() - start) / 1000;
  if (length !== SIZE) throw new Error(`torsion read ${length} bytes`);
  return SIZE / 1e6 / seconds;
}

function opensshOnce(sftp: string, server: string, remote: string, local: string): Promise<number> {
  writeFileSync(join(local, 'batch'), `get ${join(remote, 'big.bin')} openssh.bin\n`);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(sftp, ['-q', '-b', 'batch', '-D', `${server} -d ${remote}`], { cwd: local, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => {
      const seconds = (performance.now() - start) / 1000;
      if (code !== 0 || statSync(join(local, 'openssh.bin')).size !== SIZE) reject(new Error(`sftp exited ${code}: ${err}`));
      else resolve(SIZE / 1e6 / seconds);
    });
  });
}

export default async function (): Promise<BenchCase[]> {
  const server = requirePeer('/usr/lib/openssh/sftp-server', 'openssh-sftp-server');
  const sftp = requirePeer('sftp', 'openssh-client');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-sftp-bench-'));
  const remote = join(dir, 'remote');
  const local = join(dir, 'local');
  mkdirSync(remote);
  mkdirSync(local);
  try {
    const data = Buffer.allocUnsafe(SIZE);
    for (let i = 0; i < SIZE; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(remote, 'big.bin'), data);
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < RUNS; i++) {
      ours = Math.max(ours, await torsionOnce(server, remote, local));
      theirs = Math.max(theirs, await opensshOnce(sftp, server, remote, local));
    }
    return [
      {
        name: `SFTP download ${SIZE / 1024 / 1024} MiB from OpenSSH sftp-server (stdio)`,
        higherIsBetter: true,
        measurements: [
          { subject: 'torsion', value: ours, unit: 'MB/s' },
          { subject: 'openssh sftp', value: theirs, unit: 'MB/s' },
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
