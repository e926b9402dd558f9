/**
 * Starts a throwaway `ngircd` (Debian package `ngircd`) on 127.0.0.1 with a temporary config and a free
 * port, for interop tests. Fails, naming the package, when ngircd is not installed.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Failure } from '../../defer/index.js';
import { reactor } from '../../internet/index.js';
import { ProcessProtocol } from '../../internet/protocol.js';
import type { IProcessTransport } from '../../internet/interfaces.js';
import { freeLoopbackPort, requirePeer } from '../../testing/peers.js';

export interface NgircdServer {
  port: number;
  /** Everything ngircd logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Collects ngircd's log and tells when it listens or exits. */
class NgircdProcess extends ProcessProtocol {
  output = '';
  ended = false;
  onOutput: () => void = () => {};
  onEnded: () => void = () => {};
  override outReceived(data: Uint8Array): void {
    this.output += new TextDecoder().decode(data);
    this.onOutput();
  }
  override errReceived(data: Uint8Array): void {
    this.outReceived(data);
  }
  override processEnded(_reason: Failure): void {
    this.ended = true;
    this.onEnded();
  }
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
    const port = await freeLoopbackPort();
    const dir = mkdtempSync(join(tmpdir(), 'torsion-ngircd-'));
    const conf = join(dir, 'ngircd.conf');
    writeFileSync(conf, config(port));
    const proc = new NgircdProcess();
    const child: IProcessTransport = reactor.spawnProcess(proc, program, [program, '--nodaemon', '--config', conf], { env: { PATH: process.env.PATH ?? '' } });
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      proc.onOutput = () => {
        if (proc.output.includes(`Now listening on [127.0.0.1]:${port}`)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      proc.onEnded = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    const output = proc.output;
    if (ready) {
      return {
        port,
        log: () => proc.output,
        stop: () =>
          new Promise<void>((resolve) => {
            const done = (): void => {
              rmSync(dir, { recursive: true, force: true });
              resolve();
            };
            if (proc.ended) return done();
            proc.onEnded = done;
            child.signalProcess('TERM');
          }),
      };
    }
    lastLog = output;
    if (!proc.ended) child.signalProcess('KILL');
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`ngircd (Debian package ngircd) did not start listening:\n${lastLog}`);
}
