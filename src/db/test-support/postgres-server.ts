/**
 * A throwaway PostgreSQL server for the `pg` tests: `initdb` into a temporary directory, then `postgres`
 * on 127.0.0.1 (an ephemeral port) and on a Unix socket in that directory. Uses the binaries of Debian's
 * `postgresql` package (`/usr/lib/postgresql/<version>/bin`); the server refuses to run as root, so as root
 * it runs as the `postgres` user (or `nobody`), which then owns the directory.
 * @module
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred, type Failure } from '../../defer/index.js';
import { ProcessDone, ProcessProtocol, reactor } from '../../internet/index.js';
import { PeerMissingError, startPeerProgram, type PeerProgram } from '../../testing/index.js';

/** The database role and database name the server is made with (trust authentication, loopback only). */
const USER = 'torsion';
const DATABASE = 'postgres';

/** Where Debian's `postgresql` package puts its server binaries, newest version first. */
function findBinaries(): { initdb: string; postgres: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  }
  throw new PeerMissingError(`${root}/<version>/bin/postgres`, 'postgresql');
}

/** The uid and gid to run as: none when not root; else `postgres` (Debian's package makes it) or `nobody`. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const entry = lines.find((f) => f[0] === 'postgres') ?? lines.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('running as root, and there is no postgres or nobody user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** Collects a child's output and tells when it ends. */
class CollectProcess extends ProcessProtocol {
  output = '';
  /** Fires with the exit reason (wrapped: a Deferred fired with a Failure would fail). */
  readonly ended = new Deferred<{ reason: Failure }>();

  override childDataReceived(_fd: number, data: Uint8Array): void {
    this.output += Buffer.from(data).toString();
  }

  override processEnded(reason: Failure): void {
    this.ended.callback({ reason });
  }
}

/**
 * Runs the server under a watchdog shell that stops it (a fast shutdown) when its stdin closes: when we
 * close it, or when the test process dies without cleaning up (a test runner's timeout), so no server is
 * left behind. It also exits, with the server's status, if the server stops by itself.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null &',
  'pid=$!',
  '( read -r _ <&3; kill -INT "$pid" 2>/dev/null ) &',
  'watcher=$!',
  'wait "$pid"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit $status',
].join('\n');

/** A running throwaway server; `stop()` it (and its directory goes) when done. */
export class PostgresServer {
  #process: PeerProgram | undefined;

  private constructor(
    /** The temporary directory: the data directory and the Unix socket are in it. */
    readonly dir: string,
    /** The TCP port on 127.0.0.1. */
    public port: number,
    readonly binaries: { initdb: string; postgres: string },
    readonly user: { uid: number; gid: number } | undefined,
  ) {}

  /** `pg.Client` options over TCP. */
  get tcpOptions(): { connectionString: string } {
    return { connectionString: `postgres://${USER}@127.0.0.1:${this.port}/${DATABASE}` };
  }

  /** `pg.Client` options over the Unix socket. */
  get socketOptions(): { host: string; port: number; user: string; database: string } {
    return { host: this.dir, port: this.port, user: USER, database: DATABASE };
  }

  /** Makes a fresh cluster and starts it. Fails naming the `postgresql` package when it is not installed. */
  static async start(): Promise<PostgresServer> {
    const binaries = findBinaries();
    const user = unprivilegedUser();
    const dir = mkdtempSync(join(tmpdir(), 'torsion-pg-'));
    try {
      if (user) chownSync(dir, user.uid, user.gid);
      const server = new PostgresServer(dir, 0, binaries, user);
      await server.#run(binaries.initdb, ['-D', join(dir, 'data'), '-U', USER, '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C']);
      await server.#start(undefined);
      return server;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Starts the server on the existing cluster, on the same port (after {@link halt}). */
  async resume(): Promise<void> {
    await this.#start(this.port);
  }

  /** Starts the server on `port`, or on a free one (trying another when it is taken in between). */
  async #start(port: number | undefined): Promise<void> {
    if (this.#process) throw new Error('PostgreSQL is already running');
    const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=40', 'shared_buffers=16MB'];
    this.#process = await startPeerProgram({
      executable: '/bin/sh',
      name: 'PostgreSQL',
      args: (p) => ['-c', WATCHDOG, this.binaries.postgres, '-D', join(this.dir, 'data'), '-k', this.dir, '-p', String(p), ...settings.flatMap((c) => ['-c', c])],
      port,
      ready: /database system is ready to accept connections/,
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' },
      cwd: this.dir,
      uid: this.user?.uid,
      gid: this.user?.gid,
      // The watchdog makes a fast shutdown when its stdin closes.
      stop: (transport) => transport.closeStdin(),
    });
    this.port = this.#process.port;
  }

  /** Stops the server (a fast shutdown: sessions are ended, open transactions rolled back); the cluster stays. */
  async halt(): Promise<void> {
    const p = this.#process;
    if (!p) return;
    this.#process = undefined;
    await p.stop();
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The server's log so far (for failure messages). */
  get log(): string {
    return this.#process?.output() ?? '';
  }

  async #run(executable: string, args: string[]): Promise<void> {
    const protocol = new CollectProcess();
    reactor.spawnProcess(protocol, executable, [executable, ...args], {
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' },
      path: this.dir,
      uid: this.user?.uid,
      gid: this.user?.gid,
    });
    const { reason } = await protocol.ended;
    if (!reason.check(ProcessDone)) throw new Error(`${executable} failed (${reason.getErrorMessage()}):\n${protocol.output}`);
  }
}
