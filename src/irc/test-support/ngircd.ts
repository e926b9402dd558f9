/**
 * Starts a throwaway `ngircd` (Debian package `ngircd`) on 127.0.0.1 with a temporary config and a free
 * port, for interop tests. Fails, naming the package, when ngircd is not installed.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from '../../testing/peers.js';

export interface NgircdServer {
  port: number;
  /** Everything ngircd logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (bound on port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(port: number): string {
  const asRoot = process.getuid?.() === 0;
  return [
    '[Global]',
    '  Name = irc.torsion.test',
    '  Info = Torsion interop test',
    '  AdminInfo1 = Torsion tests',
    '  AdminInfo2 = loopback only',
    '  AdminEMail = nobody@torsion.test',
    '  Listen = 127.0.0.1',
    `  Ports = ${port}`,
    '  MotdPhrase = "Torsion test server"',
    ...(asRoot ? ['  ServerUID = 65534', '  ServerGID = 65534'] : []),
    '[Limits]',
    '  MaxNickLength = 30',
    '  PingTimeout = 300',
    '  PongTimeout = 60',
    '[Options]',
    '  PAM = no',
    '  Ident = no',
    '  DNS = no',
    '  RequireAuthPing = no',
    '',
  ].join('\n');
}

/** Starts ngircd and resolves once it listens. */
export async function startNgircd(): Promise<NgircdServer> {
  const program = requirePeer('ngircd', 'ngircd');
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'torsion-ngircd-'));
    const conf = join(dir, 'ngircd.conf');
    writeFileSync(conf, config(port));
    const child: ChildProcess = spawn(program, ['--nodaemon', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes(`Now listening on [127.0.0.1]:${port}`)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ready) {
      return {
        port,
        log: () => output,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              rmSync(dir, { recursive: true, force: true });
              resolve();
              return;
            }
            child.once('exit', () => {
              rmSync(dir, { recursive: true, force: true });
              resolve();
            });
            child.kill('SIGTERM');
          }),
      };
    }
    lastLog = output;
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`ngircd (Debian package ngircd) did not start listening:\n${lastLog}`);
}
