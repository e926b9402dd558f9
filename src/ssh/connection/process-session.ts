/**
 * `ProcessSession`: the default {@link ISession}, which runs commands with `/bin/sh -c` (and shells as
 * `/bin/sh`) through the reactor's `spawnProcess`, as the server's own OS user. It is not a privilege
 * boundary: whoever logs in runs programs with the server's rights.
 * @module
 */
import { ProcessExitedAlready } from '../../internet/index.js';
import type { IProcessTransport, IReactorProcess } from '../../internet/interfaces.js';
import { SSHPtyNotInstalledError } from './errors.js';
import type { ISession, PtyRequest, WindowSize } from './interfaces.js';
import { PtyProcessTransport, type NodePty } from './pty.js';
import { decodeTerminalModes } from './terminal-modes.js';
import type { SSHSessionProcessProtocol } from './session-protocol.js';

/** Signals a peer may send to what runs (RFC 4254 §6.10), without `SIG`. */
const SIGNALS = new Set(['ABRT', 'ALRM', 'FPE', 'HUP', 'ILL', 'INT', 'KILL', 'PIPE', 'QUIT', 'SEGV', 'TERM', 'USR1', 'USR2']);

/** Options of a {@link ProcessSession}. */
export interface ProcessSessionOptions {
  /** Where processes are started. */
  reactor: IReactorProcess;
  /** The user name, for `USER` and `LOGNAME`. */
  username: string;
  /** The shell (`/bin/sh`). */
  shell?: string;
  /** The working directory (the server's own by default), also `HOME`. */
  path?: string;
  /** `PATH` of the child (`/usr/local/bin:/usr/bin:/bin`). */
  searchPath?: string;
  /**
   * `node-pty` (from {@link loadNodePty}), to honour `pty-req` with a real pseudo-terminal. Without it
   * `pty-req` is refused.
   */
  pty?: NodePty;
}

/**
 * Runs each session's command (or shell) as a child process: over pipes, or on a pseudo-terminal once the
 * peer asked for one (`pty-req`) and `options.pty` is given. Without `options.pty`, `pty-req` is refused:
 * `ssh` asking for a terminal because its stdin is one goes on over pipes; `ssh -t` stops.
 */
export class ProcessSession implements ISession {
  #process: IProcessTransport | undefined;
  #terminal: PtyRequest | undefined;
  readonly #env: Record<string, string> = {};

  constructor(readonly options: ProcessSessionOptions) {}

  getPty(request: PtyRequest): void {
    if (this.options.pty === undefined) throw new SSHPtyNotInstalledError();
    if (this.#terminal !== undefined) throw new Error('this session has a terminal already');
    this.#terminal = { ...request, terminalModes: request.terminalModes ?? decodeTerminalModes(request.modes) };
  }

  /** Resizes the terminal (before the shell starts, the size it will start with). */
  windowChanged(size: WindowSize): void {
    if (this.#terminal === undefined) return;
    Object.assign(this.#terminal, { columns: size.columns, rows: size.rows, widthPixels: size.widthPixels, heightPixels: size.heightPixels });
    if (this.#process instanceof PtyProcessTransport) this.#process.resize(size);
  }

  setEnv(name: string, value: string): void {
    this.#env[name] = value;
  }

  openShell(protocol: SSHSessionProcessProtocol): void {
    this.#spawn(protocol, []);
  }

  execCommand(protocol: SSHSessionProcessProtocol, command: string): void {
    this.#spawn(protocol, ['-c', command]);
  }

  signal(name: string): void {
    if (!SIGNALS.has(name)) throw new Error(`signal ${name} is not allowed`);
    this.#signal(name);
  }

  closed(): void {
    this.#process?.loseConnection();
    this.#signal('HUP');
  }

  #spawn(protocol: SSHSessionProcessProtocol, args: string[]): void {
    const { reactor, username, path, shell = '/bin/sh', searchPath = '/usr/local/bin:/usr/bin:/bin' } = this.options;
    const env: Record<string, string> = { ...this.#env, PATH: searchPath, USER: username, LOGNAME: username, SHELL: shell };
    if (path !== undefined) env.HOME = path;
    const argv = [shell.split('/').pop() ?? 'sh', ...args];
    const terminal = this.#terminal;
    if (terminal !== undefined && this.options.pty !== undefined) {
      env.TERM = terminal.term;
      this.#process = new PtyProcessTransport(protocol, shell, argv, { pty: this.options.pty, term: terminal.term, size: terminal, env, path, modes: terminal.terminalModes ?? [] });
      return;
    }
    this.#process = reactor.spawnProcess(protocol, shell, argv, { env, path });
  }

  #signal(name: string): void {
    try {
      this.#process?.signalProcess(name);
    } catch (e) {
      if (!(e instanceof ProcessExitedAlready)) throw e;
    }
  }
}
