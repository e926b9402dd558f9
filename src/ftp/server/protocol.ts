/**
 * `FTPServerProtocol`: one control connection (RFC 959). Commands run one at a time: while one waits
 * (a login, a file-system call) reading stops, so a pipelining client's next command waits its turn and
 * the bytes behind `AUTH TLS` reach TLS untouched. During a transfer only `ABOR`, `STAT`, `NOOP` and
 * `QUIT` are answered at once; anything else waits for the transfer's end.
 *
 * The command handlers live in `commands-*.ts`; this file holds the state and the dispatch.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import type { IDelayedCall, ITCPTransport } from '../../internet/interfaces.js';
import { isSecure } from '../../internet/index.js';
import { Logger } from '../../logger/index.js';
import { LineReceiver } from '../../protocols/index.js';
import { normalizeHost } from '../address.js';
import { formatReply, parseCommand } from '../codec.js';
import type { DataConnection, DataTLS, PassiveDataFactory } from '../data-connection.js';
import { FTPFileSystemError } from '../errors.js';
import type { IFTPShell, Segments } from '../interfaces.js';
import type { FTPFactory } from './factory.js';
import type { Transfer } from './transfer.js';
import { COMMANDS } from './commands.js';

const log = new Logger({ namespace: 'torsion.ftp' });

/** Commands answered while a transfer runs. */
const DURING_TRANSFER = new Set(['ABOR', 'STAT', 'NOOP', 'QUIT']);

/** One control connection of an {@link FTPFactory}. */
export class FTPServerProtocol extends LineReceiver<ITCPTransport> {
  declare factory: FTPFactory;
  /** The logged-in user's shell, once logged in. */
  shell: IFTPShell | null = null;
  /** Who is logged in ('anonymous' for a guest). */
  username: string | null = null;
  /** @internal the name given by `USER`, waiting for `PASS`. */
  pendingUser: string | null = null;
  /** The working folder. */
  cwd: Segments = [];
  /** `TYPE`: ASCII (`A`, line endings converted) or image (`I`, bytes as they are). */
  type: 'A' | 'I' = 'A';
  /** @internal the `REST` offset for the next transfer. */
  restOffset = 0;
  /** @internal the source named by `RNFR`. */
  renameFrom: Segments | null = null;
  /** @internal `PROT`: data connections in the clear (`C`) or through TLS (`P`). */
  prot: 'C' | 'P' = 'C';
  /** @internal `PBSZ` was given (it must come before `PROT`). */
  pbsz = false;
  /** @internal `EPSV ALL` was given: no other way to open data connections is accepted. */
  epsvAll = false;
  /** @internal the passive port waiting for the client, if any. */
  passive: PassiveDataFactory | null = null;
  /** @internal the address `PORT`/`EPRT` named, if any. */
  active: { host: string; port: number } | null = null;
  /** @internal the transfer under way. */
  transfer: Transfer | null = null;
  /** Refused logins so far on this connection. */
  failedLogins = 0;
  #logout: (() => void) | null = null;
  #busy = false;
  #held: Uint8Array | null = null;
  #idle: IDelayedCall | null = null;
  /** @internal set by the factory when this connection is one too many. */
  refusal: string | null = null;
  /** @internal the address the factory counted this connection under. */
  countedHost: string | null = null;

  override connectionMade(): void {
    this.MAX_LENGTH = this.factory.limits.maxLineLength;
    if (this.refusal !== null) {
      this.reply(421, this.refusal);
      this.transport.loseConnection();
      return;
    }
    this.reply(220, this.factory.welcome);
    this.#resetIdle();
  }

  /** The client's address, as data connections are checked against. */
  get peerHost(): string {
    return normalizeHost((this.transport.getPeer() as { host?: string }).host ?? '');
  }

  /** The address the client reached this server on. */
  get hostAddress(): string {
    return normalizeHost((this.transport.getHost() as { host?: string }).host ?? '');
  }

  /** Sends one reply. */
  reply(code: number, text: string | readonly string[]): void {
    if (this.connected && !this.transport.disconnecting) this.transport.write(formatReply(code, text));
  }

  override lineLengthExceeded(): void {
    this.reply(500, `Command line too long (the limit is ${this.MAX_LENGTH} bytes)`);
    this.transport.loseConnection();
  }

  override lineReceived(line: Uint8Array): void {
    this.#resetIdle();
    if (this.transfer !== null) {
      let verb = '';
      try {
        verb = parseCommand(line).verb;
      } catch {
        // Judged when its turn comes.
      }
      if (!DURING_TRANSFER.has(verb)) {
        this.#held = line.slice();
        this.#reading();
        return;
      }
    }
    this.#run(line);
  }

  #run(line: Uint8Array): void {
    let verb: string;
    let argument: string;
    try {
      ({ verb, argument } = parseCommand(line));
    } catch (e) {
      this.reply(500, (e as Error).message);
      return;
    }
    const command = COMMANDS.get(verb);
    if (command === undefined) {
      this.reply(502, `Command ${verb} not implemented`);
      return;
    }
    if (command.login && this.shell === null) {
      this.reply(530, 'Please login with USER and PASS');
      return;
    }
    // A rename is RNFR immediately followed by RNTO: anything in between forgets the source.
    if (verb !== 'RNTO' && verb !== 'RNFR') this.renameFrom = null;
    let result: unknown;
    try {
      result = command.run(this, argument);
    } catch (e) {
      this.#failed(verb, e);
      return;
    }
    if (result instanceof Deferred) {
      this.#busy = true;
      this.#reading();
      result.addErrback((f: Failure) => this.#failed(verb, f.value)).addBoth(() => {
        this.#busy = false;
        this.#reading();
      });
    }
  }

  #failed(verb: string, e: unknown): void {
    if (e instanceof FTPFileSystemError) this.reply(e.replyCode, e.message);
    else {
      log.failure('{verb} failed', new Failure(e), { verb }, 'error');
      this.reply(451, 'Requested action aborted: local error in processing');
    }
  }

  /** Reading runs unless a command is waiting or a held command waits for the transfer's end. */
  #reading(): void {
    if (!this.connected || this.transport.disconnecting) return;
    if (this.#held !== null && this.transfer === null && !this.#busy) {
      const line = this.#held;
      this.#held = null;
      this.#run(line);
      if (this.#busy) return;
    }
    const stop = this.#busy || this.#held !== null;
    if (stop && !this.paused) this.pauseProducing();
    else if (!stop && this.paused) this.resumeProducing();
  }

  /** @internal a transfer ended (its reply sent): the held command, if any, runs now. */
  transferEnded(): void {
    this.transfer = null;
    this.#resetIdle();
    this.#reading();
  }

  /** @internal the TLS a new data connection gets, as `PROT` says. */
  dataTLS(): DataTLS | null {
    const options = this.factory.tlsOptions;
    return this.prot === 'P' && options !== null ? { options, asServer: true } : null;
  }

  /** @internal a login succeeded. */
  loggedIn(username: string, shell: IFTPShell, logout: () => void): void {
    this.username = username;
    this.shell = shell;
    this.#logout = logout;
    this.cwd = [];
  }

  /** @internal the data connection of the next transfer: the passive port's, or one dialled to `PORT`'s address. */
  openData(): Deferred<DataConnection> | null {
    return this.factory.openData(this);
  }

  #resetIdle(): void {
    const seconds = this.factory.limits.idleTimeout;
    if (seconds <= 0 || !this.connected) return;
    if (this.#idle?.active()) this.#idle.reset(seconds);
    else
      this.#idle = this.factory.clock.callLater(seconds, () => {
        // A transfer in progress is watched by the data timeout instead.
        if (this.transfer !== null) return this.#resetIdle();
        this.reply(421, `Timeout (${seconds} seconds): closing control connection`);
        this.transport.loseConnection();
      });
  }

  /** True if TLS protects the control connection. */
  get secure(): boolean {
    return isSecure(this.transport);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.#idle?.active()) this.#idle.cancel();
    this.transfer?.abort(false);
    this.passive?.close();
    this.passive = null;
    const logout = this.#logout;
    this.#logout = null;
    this.shell = null;
    logout?.();
    this.factory.connectionClosed(this);
  }
}
