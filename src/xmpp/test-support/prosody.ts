/**
 * Starts a throwaway Prosody (Debian package `prosody`) on 127.0.0.1 with its own config, data folder and
 * self-signed certificate, with a MUC component at `conference.localhost`, for interop tests.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, requirePeer, selfSignedCertificate, startPeerProgram } from '../../testing/index.js';
import { scramCredentials } from '../scram-server.js';

export interface ProsodyServer {
  port: number;
  /** The port external components (XEP-0114) connect to; `echo.localhost` is one, with secret {@link COMPONENT_SECRET}. */
  componentPort: number;
  /** The certificate clients must trust (PEM). */
  cert: string;
  /** Prosody's process id (for a benchmark to read its CPU time). */
  pid: number | undefined;
  log(): string;
  stop(): Promise<void>;
}

/** The secret of the `echo.localhost` component. */
export const COMPONENT_SECRET = 'component-secret';

/** Options of {@link startProsody}. */
export interface ProsodyOptions {
  /** PBKDF2 iterations of the accounts' SCRAM-SHA-1 keys (Prosody's `default_iteration_count`; 10,000 unless given). */
  iterations?: number;
  /** More modules to enable (`smacks` for stream management). */
  modules?: string[];
}

function config(dir: string, port: number, componentPort: number, iterations: number, modules: string[]): string {
  return `
default_iteration_count = ${iterations}
run_as_root = true
daemonize = false
pidfile = "${dir}/prosody.pid"
data_path = "${dir}"
plugin_paths = {}
log = { { levels = { min = "info" }, to = "console" } }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "register", "presence", "message", "iq"${modules.map((m) => `, "${m}"`).join('')} }
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

/**
 * Writes an account as Prosody's `internal_hashed` storage keeps it (what `prosodyctl register` writes, in
 * a fraction of the time: hundreds of accounts for a benchmark): a UUID salt, SCRAM-SHA-1 keys in hex.
 */
function writeAccount(dir: string, user: string, password: string, iterations: number): void {
  const salt = randomUUID();
  const keys = scramCredentials('sha1', password, { salt: Buffer.from(salt), iterations });
  const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
  const folder = join(dir, 'localhost', 'accounts');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${user}.dat`), `return {\n\t["iteration_count"] = ${iterations};\n\t["salt"] = "${salt}";\n\t["stored_key"] = "${hex(keys.storedKey)}";\n\t["server_key"] = "${hex(keys.serverKey)}";\n};\n`);
}

/** Starts Prosody with the given accounts (`user` → password on `localhost`, lower-case letters and digits) and resolves once it accepts connections. */
export async function startProsody(accounts: Record<string, string>, options: ProsodyOptions = {}): Promise<ProsodyServer> {
  const prosody = requirePeer('prosody', 'prosody');
  const iterations = options.iterations ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'torsion-prosody-'));
  chmodSync(dir, 0o755);
  const { key, cert } = selfSignedCertificate('localhost');
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'key.pem'), key, { mode: 0o644 });
  const conf = join(dir, 'prosody.cfg.lua');
  const componentPort = await freeLoopbackPort();
  try {
    for (const [user, password] of Object.entries(accounts)) {
      if (!/^[a-z0-9]+$/.test(user)) throw new TypeError(`account names here are lower-case letters and digits (${user})`);
      writeAccount(dir, user, password, iterations);
    }
    const peer = await startPeerProgram({
      executable: prosody,
      args: (port) => {
        writeFileSync(conf, config(dir, port, componentPort, iterations, options.modules ?? []));
        return ['--config', conf, '-F'];
      },
    });
    return {
      port: peer.port,
      componentPort,
      cert,
      pid: peer.transport.pid,
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
