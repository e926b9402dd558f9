/**
 * Pseudo-terminals for sessions, on the npm package `@lydell/node-pty` (an optional peer dependency,
 * imported only by {@link loadNodePty}). {@link PtyProcessTransport} runs a child on a terminal and shows it
 * to its protocol as any other process transport: the terminal's output is stdout (fd 1; a terminal
 * merges stderr into it), the protocol's writes are what is typed.
 * @module
 */
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';
import { Failure } from '../../defer/index.js';
import { DEFAULT_WRITE_BUFFER_LIMITS } from '../../internet/capabilities.js';
import { ProcessDone, ProcessTerminated } from '../../internet/error.js';
import { ProcessExitedAlready } from '../../internet/process.js';
import type { Data, IProcessProtocol, IProcessTransport, IPullProducer, IPushProducer, WriteBufferLimits } from '../../internet/interfaces.js';
import { logError } from '../../internet/log.js';
import { WritableConsumer } from '../../internet/writable-consumer.js';
import { SSHPtyNotInstalledError } from './errors.js';
import type { WindowSize } from './interfaces.js';
import { sttyArguments, type TerminalMode } from './terminal-modes.js';

/** The npm package that gives sessions a terminal. */
export const NODE_PTY_PACKAGE = '@lydell/node-pty';

/** The part of a `node-pty` terminal used here. */
export interface NodePtyTerminal {
  readonly pid: number;
  onData(listener: (data: Buffer | string) => void): unknown;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): unknown;
  resize(columns: number, rows: number): void;
  write(data: string | Buffer): void;
  kill(signal?: string): void;
  pause(): void;
  resume(): void;
}

/** The part of the `node-pty` module used here. */
export interface NodePty {
  spawn(
    file: string,
    args: string[],
    options: { name?: string; cols?: number; rows?: number; cwd?: string; env?: Record<string, string>; encoding?: null },
  ): NodePtyTerminal;
}

/**
 * Imports `@lydell/node-pty`, failing with {@link SSHPtyNotInstalledError} (which names the package) when
 * it is not installed. `importer` is there for tests.
 */
export async function loadNodePty(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<NodePty> {
  let mod: Partial<NodePty> & { default?: Partial<NodePty> };
  try {
    mod = (await importer(NODE_PTY_PACKAGE)) as typeof mod;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new SSHPtyNotInstalledError({ cause: e });
    throw e;
  }
  const spawn = mod.spawn ?? mod.default?.spawn;
  if (typeof spawn !== 'function') throw new SSHPtyNotInstalledError();
  return { spawn };
}

/** Size of a terminal when the peer gave none (0 means "not given", RFC 4254 §6.2). */
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;
/** The kernel's `winsize` holds 16-bit counts. */
const MAX_DIMENSION = 0xffff;

function dimension(value: number, fallback: number): number {
  return value <= 0 ? fallback : Math.min(value, MAX_DIMENSION);
}

/** Options of a {@link PtyProcessTransport}. */
export interface PtyProcessOptions {
  /** The loaded `node-pty` (see {@link loadNodePty}). */
  pty: NodePty;
  /** `TERM` of the child. */
  term: string;
  size: WindowSize;
  env: Record<string, string>;
  path?: string;
  /**
   * Terminal modes to set before the program starts (from `pty-req`): `stty` runs on the new terminal
   * first, through `/bin/sh`, then `exec`s the program. A mode `stty` cannot set is left as it was.
   */
  modes?: readonly TerminalMode[];
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(osConstants.signals).map(([name, n]) => [n, name.replace(/^SIG/, '')]));

/**
 * A child running on a pseudo-terminal. A consumer for what is typed (paced by the write-buffer marks, as a
 * pipe) and a push producer over the terminal's output. End of input cannot be sent down a terminal
 * (a program reads `^D` as the user typing it), so `closeStdin` does nothing, as in OpenSSH's sshd.
 */
export class PtyProcessTransport implements IProcessTransport, IPushProducer {
  readonly pid: number;
  /** The exit status once known: the exit code, or null when killed by a signal. */
  status: number | null | undefined;
  readonly #terminal: NodePtyTerminal;
  readonly #input: WritableConsumer | undefined;
  #exited = false;

  /** Starts `executable` on a new terminal at once and calls the protocol's `makeConnection`. */
  constructor(
    readonly protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: PtyProcessOptions,
  ) {
    const { size } = options;
    const stty = sttyArguments(options.modes ?? []);
    // node-pty offers no termios: `stty` sets the modes on the terminal (its stdin) before the program
    // replaces the shell. Its arguments are fixed names and numbers (see sttyArguments), never peer text.
    const [file, argv] = stty.length === 0 ? [executable, args.slice(1)] : ['/bin/sh', ['-c', `stty ${stty.join(' ')} 2>/dev/null; exec "$@"`, 'sh', executable, ...args.slice(1)]];
    this.#terminal = options.pty.spawn(file, argv, {
      name: options.term,
      cols: dimension(size.columns, DEFAULT_COLUMNS),
      rows: dimension(size.rows, DEFAULT_ROWS),
      ...(options.path === undefined ? {} : { cwd: options.path }),
      env: options.env,
      encoding: null,
    });
    this.pid = this.#terminal.pid;
    // node-pty keeps its master side as a socket without exposing how much waits in it; pacing the peer
    // needs that number, so the socket is used when it is there (writes go to it either way).
    const socket = (this.#terminal as unknown as { _socket?: Writable })._socket;
    if (socket !== undefined && typeof socket.write === 'function' && typeof socket.writableLength === 'number') {
      this.#input = new WritableConsumer(socket, (where, e) => logError(`${where} failed writing to terminal of process ${this.pid}`, e));
    }
    this.#terminal.onData((data) => this.protocol.childDataReceived(1, typeof data === 'string' ? Buffer.from(data) : data));
    // node-pty reports the exit once the terminal's output has been read to its end.
    this.#terminal.onExit(({ exitCode, signal }) => this.#ended(exitCode, signal ?? 0));
    protocol.makeConnection(this);
  }

  /** Types `data` into the terminal. */
  write(data: Data): void {
    if (this.#exited) return;
    if (this.#input !== undefined) this.#input.write(data);
    else this.#terminal.write(Buffer.from(typeof data === 'string' ? Buffer.from(data) : data));
  }

  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  writeToChild(fd: number, data: Data): void {
    if (fd !== 0) throw new Error(`a terminal has no child fd ${fd} to write to`);
    this.write(data);
  }

  cork(): void {
    this.#input?.cork();
  }

  uncork(): void {
    this.#input?.uncork();
  }

  getWriteBufferSize(): number {
    return this.#input?.bufferSize() ?? 0;
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#input?.setLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#input?.limits ?? DEFAULT_WRITE_BUFFER_LIMITS;
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#input?.register(producer, streaming);
  }

  unregisterProducer(): void {
    this.#input?.unregister();
  }

  /** Does nothing: a terminal has no end of input to give (see the class). */
  closeStdin(): void {}

  closeChildFD(_fd: number): void {}

  /** The terminal's new size (characters; 0 keeps the current count). */
  resize(size: WindowSize): void {
    if (this.#exited) return;
    this.#terminal.resize(dimension(size.columns, DEFAULT_COLUMNS), dimension(size.rows, DEFAULT_ROWS));
  }

  /** Sends a signal by name (`'INT'`, `'SIGINT'`) or number. */
  signalProcess(signal: string | number): void {
    if (this.#exited) throw new ProcessExitedAlready(`process ${this.pid} has already exited`);
    const name = typeof signal === 'number' ? `SIG${SIGNAL_NAMES.get(signal) ?? 'TERM'}` : signal.startsWith('SIG') ? signal : `SIG${signal}`;
    try {
      this.#terminal.kill(name);
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') throw new ProcessExitedAlready(`process ${this.pid} has already exited`);
      throw e;
    }
  }

  /** Hangs the terminal up: the child gets SIGHUP, as when a terminal closes. */
  loseConnection(): void {
    if (this.#exited) return;
    try {
      this.#terminal.kill('SIGHUP');
    } catch {
      // Gone already: its exit is on its way.
    }
  }

  pauseProducing(): void {
    this.#terminal.pause();
  }

  resumeProducing(): void {
    this.#terminal.resume();
  }

  stopProducing(): void {
    this.loseConnection();
  }

  #ended(exitCode: number, signal: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#input?.stop();
    const signalName = signal > 0 ? (SIGNAL_NAMES.get(signal) ?? String(signal)) : null;
    this.status = signalName === null ? exitCode : null;
    const reason = new Failure(signalName === null && exitCode === 0 ? new ProcessDone() : new ProcessTerminated(signalName === null ? exitCode : null, signalName));
    this.protocol.processExited(reason);
    this.protocol.processEnded(reason);
  }
}
