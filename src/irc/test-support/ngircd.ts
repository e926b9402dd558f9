/**
 * Starts a throwaway `ngircd` (Debian package `ngircd`) on 127.0.0.1 with a temporary config and a free
 * port, for interop tests. Fails, naming the package, when ngircd is not installed.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startPeerProgram } from '../../testing/index.js';

export interface NgircdServer {
  port: number;
  /** Everything ngircd logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
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
  const dir = mkdtempSync(join(tmpdir(), 'torsion-ngircd-'));
  const conf = join(dir, 'ngircd.conf');
  try {
    const peer = await startPeerProgram({
      executable: program,
      args: (port) => {
        writeFileSync(conf, config(port));
        return ['--nodaemon', '--config', conf];
      },
      ready: /Now listening on \[127\.0\.0\.1\]:\d+/,
    });
    return {
      port: peer.port,
      log: peer.output,
      stop: async () => {
        await peer.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
