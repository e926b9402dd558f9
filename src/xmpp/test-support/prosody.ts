/**
 * Starts a throwaway Prosody (Debian package `prosody`) on 127.0.0.1 with its own config, data folder and
 * self-signed certificate, with a MUC component at `conference.localhost`, for interop tests.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, requirePeer, selfSignedCertificate, startPeerProgram } from '../../testing/index.js';

export interface ProsodyServer {
  port: number;
  /** The port external components (XEP-0114) connect to; `echo.localhost` is one, with secret {@link COMPONENT_SECRET}. */
  componentPort: number;
  /** The certificate clients must trust (PEM). */
  cert: string;
  log(): string;
  stop(): Promise<void>;
}

/** The secret of the `echo.localhost` component. */
export const COMPONENT_SECRET = 'component-secret';

function config(dir: string, port: number, componentPort: number): string {
  return `
run_as_root = true
daemonize = false
pidfile = "${dir}/prosody.pid"
data_path = "${dir}"
plugin_paths = {}
log = { { levels = { min = "info" }, to = "console" } }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "register", "presence", "message", "iq" }
modules_disabled = { "s2s", "posix" }
c2s_ports = { ${port} }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = {}
component_ports = { ${componentPort} }
component_interfaces = { "127.0.0.1" }
http_ports = {}
https_ports = {}
c2s_require_encryption = true
allow_registration = false
authentication = "internal_hashed"
storage = "internal"
ssl = { certificate = "${dir}/cert.pem", key = "${dir}/key.pem" }
VirtualHost "localhost"
Component "conference.localhost" "muc"
  muc_room_locking = false
Component "echo.localhost"
  component_secret = "${COMPONENT_SECRET}"
`;
}

/** Starts Prosody with the given accounts (`user` → password on `localhost`) and resolves once it accepts connections. */
export async function startProsody(accounts: Record<string, string>): Promise<ProsodyServer> {
  const prosody = requirePeer('prosody', 'prosody');
  const prosodyctl = requirePeer('prosodyctl', 'prosody');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-prosody-'));
  chmodSync(dir, 0o755);
  const { key, cert } = selfSignedCertificate('localhost');
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'key.pem'), key, { mode: 0o644 });
  const conf = join(dir, 'prosody.cfg.lua');
  const componentPort = await freeLoopbackPort();
  try {
    writeFileSync(conf, config(dir, 0, componentPort));
    for (const [user, password] of Object.entries(accounts)) {
      const r = spawnSync(prosodyctl, ['--config', conf, 'register', user, 'localhost', password], { encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0) throw new Error(`prosodyctl register ${user} failed: ${r.stdout}${r.stderr}`);
    }
    const peer = await startPeerProgram({
      executable: prosody,
      args: (port) => {
        writeFileSync(conf, config(dir, port, componentPort));
        return ['--config', conf, '-F'];
      },
    });
    return {
      port: peer.port,
      componentPort,
      cert,
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
