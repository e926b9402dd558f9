/**
 * Starting a real server program (ngircd, postgres, openssl s_server, ...) for an interop test: on a free
 * loopback port, waiting until it listens, with its output at hand when something goes wrong.
 * @module
 */
import { connect } from 'node:net';
import type { Failure } from '../defer/index.js';
import { TorsionError } from '../errors/index.js';
import type { IProcessTransport, IReactorProcess } from '../internet/interfaces.js';
import { ProcessProtocol } from '../internet/protocol.js';
import { spawnProcess } from '../internet/process.js';
import { eventually } from './eventually.js';
import { freeLoopbackPort } from './peers.js';

/** Defaults of {@link startPeerProgram}. */
export const PEER_PROGRAM_LIMITS = {
  /** Seconds to wait for the program to be ready. */
  timeout: 30,
  /** Tries, each on a fresh free port, when the program exits before it is ready (another process may take the port in between). */
  attempts: 3,
  /** Seconds between `TERM` and `KILL` in `stop()`. */
  stopTimeout: 10,
  /** The most output kept (the latest), so a chatty program cannot fill the test's memory. */
  maxOutput: 1024 * 1024,
  /** The most output quoted in an error message (the latest). */
  outputInError: 16 * 1024,
} as const;

/** What {@link startPeerProgram} runs, and how it tells it is ready. */
export interface PeerProgramOptions {
  /** The program's full path, usually from `requirePeer(command, debianPackage)`. */
  executable: string;
  /** What to call it in error messages (default: `executable`). */
  name?: string;
  /**
   * Its arguments (without the program name), given the port it must listen on; called once per try, so
   * it may also write a configuration file naming the port.
   */
  args: (port: number) => readonly string[];
  /**
   * When it is ready: once its output (stdout and stderr together) matches this pattern or predicate. Left
   * out, once 127.0.0.1:`port` accepts a TCP connection.
   */
  ready?: RegExp | ((output: string) => boolean);
  /** A port to use (then there is one try); left out, a free one on 127.0.0.1. */
  port?: number;
  /** Seconds to wait for it to be ready (default 30). */
  timeout?: number;
  /** Tries when it exits before it is ready, each on a fresh port (default 3). */
  attempts?: number;
  /** Its environment (default: only `PATH`). */
  env?: Record<string, string>;
  /** Its working directory. */
  cwd?: string;
  uid?: number;
  gid?: number;
  /** How `stop()` asks it to end (default: `SIGTERM`). */
  stop?: (transport: IProcessTransport) => void;
  /** Seconds `stop()` waits before `SIGKILL` (default 10). */
  stopTimeout?: number;
  /** Spawns it (default: a plain child process, as the Node reactor's `spawnProcess` makes). */
  reactor?: IReactorProcess;
}

/** A running peer program. */
export interface PeerProgram {
  /** The port it listens on. */
  readonly port: number;
  /** The process, to signal it or write to its stdin. */
  readonly transport: IProcessTransport;
  /** Resolves, with the reason, once it has exited and its output is all in. */
  readonly exited: Promise<Failure>;
  /** Everything it wrote so far (stdout and stderr, interleaved; the latest megabyte). */
  output(): string;
  /** Asks it to end (see `stop` in the options), sends `SIGKILL` if it is still there after `stopTimeout`, resolves once it exited. */
  stop(): Promise<void>;
}

/** The program exited, or did not get ready in time; `output` is what it said. */
export class PeerStartError extends TorsionError {
  override readonly code = 'TORSION_PEER_START';
  override name = 'PeerStartError';
  constructor(readonly program: string, readonly reason: string, readonly output: string) {
    super(`${program} ${reason}; its output:\n${output.slice(-PEER_PROGRAM_LIMITS.outputInError) || '(nothing)'}`);
  }
}

class CollectOutput extends ProcessProtocol {
  #chunks = '';
  /** Set once the process exited and its pipes closed. */
  ended: Failure | undefined;
  /** Set once the process itself exited: a child it left behind may hold its pipes open much longer. */
  gone: Failure | undefined;
  readonly exited: Promise<Failure>;
  readonly processGone: Promise<Failure>;
  #resolve!: (reason: Failure) => void;
  #resolveGone!: (reason: Failure) => void;
  constructor() {
    super();
    this.exited = new Promise((resolve) => (this.#resolve = resolve));
    this.processGone = new Promise((resolve) => (this.#resolveGone = resolve));
  }
  get output(): string {
    return this.#chunks;
  }
  override childDataReceived(_fd: number, data: Uint8Array): void {
    this.#chunks += Buffer.from(data).toString('utf8');
    if (this.#chunks.length > PEER_PROGRAM_LIMITS.maxOutput) this.#chunks = this.#chunks.slice(-PEER_PROGRAM_LIMITS.maxOutput);
  }
  override processExited(reason: Failure): void {
    this.gone = reason;
    this.#resolveGone(reason);
  }
  override processEnded(reason: Failure): void {
    this.ended = reason;
    this.#resolve(reason);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `options.executable` and resolves once it is ready. When it exits first, it is tried again on
 * another free port (`attempts`); when it never gets ready, it is killed. Either way the error, a
 * {@link PeerStartError}, quotes what the program wrote.
 *
 * @example
 * const ngircd = await startPeerProgram({
 *   executable: requirePeer('ngircd', 'ngircd'),
 *   args: (port) => { writeFileSync(conf, configFor(port)); return ['--nodaemon', '--config', conf]; },
 * });
 * try { ... ngircd.port ... } finally { await ngircd.stop(); }
 */
export async function startPeerProgram(options: PeerProgramOptions): Promise<PeerProgram> {
  const reactor: IReactorProcess = options.reactor ?? { spawnProcess: (...a) => spawnProcess(undefined, ...a) };
  const timeout = options.timeout ?? PEER_PROGRAM_LIMITS.timeout;
  const attempts = options.port === undefined ? (options.attempts ?? PEER_PROGRAM_LIMITS.attempts) : 1;
  const ready = options.ready;
  const name = options.name ?? options.executable;
  let last: PeerStartError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    const args = [options.executable, ...options.args(port)];
    const collect = new CollectOutput();
    const transport = reactor.spawnProcess(collect, options.executable, args, {
      env: options.env ?? { PATH: process.env.PATH ?? '' },
      path: options.cwd,
      uid: options.uid,
      gid: options.gid,
    });
    const isReady = async (): Promise<boolean> => {
      if (ready instanceof RegExp) return ready.test(collect.output);
      if (ready !== undefined) return ready(collect.output);
      return accepts(port);
    };
    try {
      await eventually(
        async () => {
          if (await isReady()) return true;
          if (collect.ended) throw new PeerStartError(name, `exited before it was ready (${collect.ended.getErrorMessage()})`, collect.output);
          return false;
        },
        { timeout, interval: 0.02 },
      );
    } catch (e) {
      if (!collect.ended) {
        transport.signalProcess('KILL');
        await collect.exited;
      }
      if (!(e instanceof PeerStartError)) throw new PeerStartError(name, `was not ready within ${timeout} s`, collect.output);
      last = e;
      continue;
    }
    return {
      port,
      transport,
      exited: collect.exited,
      output: () => collect.output,
      async stop() {
        if (collect.gone) return;
        (options.stop ?? ((t) => t.signalProcess('TERM')))(transport);
        const timer = setTimeout(() => {
          if (!collect.gone) transport.signalProcess('KILL');
        }, (options.stopTimeout ?? PEER_PROGRAM_LIMITS.stopTimeout) * 1000);
        await collect.processGone;
        clearTimeout(timer);
      },
    };
  }
  throw last!;
}
