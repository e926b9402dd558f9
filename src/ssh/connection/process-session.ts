/**
 * `ProcessSession`: the default {@link ISession}, which runs commands with `/bin/sh -c` (and shells as
 * `/bin/sh`) through the reactor's `spawnProcess`, as the server's own OS user. It is not a privilege
 * boundary: whoever logs in runs programs with the server's rights.
 * @module
 */
import { ProcessExitedAlready } from '../../internet/index.js';
import type { IProcessTransport, IReactorProcess } from '../../internet/interfaces.js';
import type { ISession, PtyRequest } from './interfaces.js';
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
}

/**
 * Runs each session's command (or shell) as a child process. There is no pseudo-terminal: `pty-req` is
 * refused. `ssh` asking for one because its stdin is a terminal goes on over pipes; `ssh -t` stops.
 */
export class ProcessSession implements ISession {
  #process: IProcessTransport | undefined;
  readonly #env: Record<string, string> = {};

  constructor(readonly options: ProcessSessionOptions) {}

  getPty(_request: PtyRequest): void {
    throw new Error('no pseudo-terminal support');
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
    this.#process = reactor.spawnProcess(protocol, shell, [shell.split('/').pop() ?? 'sh', ...args], { env, path });
  }

  #signal(name: string): void {
    try {
      this.#process?.signalProcess(name);
    } catch (e) {
      if (!(e instanceof ProcessExitedAlready)) throw e;
    }
  }
}
