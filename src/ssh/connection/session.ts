/**
 * `SSHSession`: the server side of a `session` channel (RFC 4254 §6), Twisted's `SSHSession`. It parses
 * the session requests and hands them to the application's {@link ISession}; subsystems run a stream
 * protocol over the channel.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { ProcessTerminated } from '../../internet/error.js';
import type { IProtocol, IReactorTCP, IReactorUNIX } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { SSHMalformedMessageError } from '../service-wire.js';
import { AGENT_FORWARDING_REQUEST, ForwardedAgentSocket } from './agent-forwarding.js';
import { SSHChannel, type SSHChannelOptions } from './channel.js';
import { ChannelTransport } from './channel-transport.js';
import type { ISession, PtyRequest } from './interfaces.js';
import { exitStatus, parseEnv, parsePtyRequest, parseStringData, parseWindowChange } from './messages.js';
import { SSHSessionProcessProtocol } from './session-protocol.js';
import { decodeTerminalModes } from './terminal-modes.js';
import { X11Display, parseX11Request } from './x11-forwarding.js';

const log = new Logger({ namespace: 'torsion.ssh.session' });

/**
 * A subsystem that closes its channel ends as OpenSSH's `sftp-server` exiting does: with exit status 0
 * first (scp in SFTP mode counts a missing status as a failure).
 */
class SubsystemTransport extends ChannelTransport {
  override loseConnection(): void {
    if (this.disconnecting) return;
    if (this.channel.isOpen && !this.channel.closeSent) this.channel.sendRequest('exit-status', exitStatus(0)).addErrback(() => undefined);
    super.loseConnection();
  }
}

/** Builds the protocol of a subsystem (`sftp`, ...) for one session channel. */
export type SubsystemFactory = (channel: SSHChannel) => IProtocol;

/** Options of an {@link SSHSession}. */
export interface SSHSessionOptions extends SSHChannelOptions {
  /** What runs behind the channel. */
  session: ISession;
  /** Subsystems by name. */
  subsystems?: ReadonlyMap<string, SubsystemFactory>;
  /** A protocol to run as the shell (a REPL such as the manhole) instead of the session's `openShell`. */
  shell?: SubsystemFactory;
  /**
   * Environment variables the peer may set: exact names, or prefixes ending in `*` (`LC_*`). Others are
   * refused. Default `LANG` and `LC_*`, as Debian's sshd.
   */
  acceptEnv?: readonly string[];
  /**
   * Agent forwarding (`ssh -A`), off when absent: `auth-agent-req@openssh.com` makes a Unix socket for the
   * session in a new private directory under `directory` (the OS's temporary folder by default), given to
   * the session as `SSH_AUTH_SOCK` and removed when the session ends.
   */
  agentForwarding?: { reactor: IReactorUNIX; directory?: string };
  /**
   * X11 forwarding (`ssh -X`/`-Y`), off when absent: `x11-req` gets the session a display listening on
   * 127.0.0.1 (port 6000 + a number from the connection's `x11DisplayOffset`), `DISPLAY` and an Xauthority
   * file of its own (`XAUTHORITY`, in a new private directory under `directory`) with the client's cookie;
   * each X connection opens an `x11` channel to the client. Both go when the session ends.
   */
  x11Forwarding?: { reactor: IReactorTCP; directory?: string };
}

/** True if `name` is allowed by one of `patterns` (exact names, or prefixes ending in `*`). */
export function envAccepted(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * A session channel on a server. One of `shell`, `exec` or `subsystem` starts it; a second is refused.
 */
export class SSHSession extends SSHChannel {
  override name = 'session';
  readonly session: ISession;
  /** What was started: `shell`, `exec`, `subsystem`, or undefined. */
  started: string | undefined;
  /** The terminal the peer asked for, once the session accepted it (a protocol shell may use it). */
  terminal: PtyRequest | undefined;
  #protocol: SSHSessionProcessProtocol | undefined;
  #subsystem: IProtocol | undefined;
  #subsystemTransport: ChannelTransport | undefined;
  #envCount = 0;
  #agent: ForwardedAgentSocket | undefined;
  #x11: X11Display | undefined;
  readonly #options: SSHSessionOptions;

  constructor(options: SSHSessionOptions) {
    super(options);
    this.session = options.session;
    this.#options = options;
  }

  /** No window is granted back until something runs to read the input, so a peer cannot fill memory first. */
  override channelOpen(_specificData: Uint8Array): void {
    this.pauseProducing();
  }

  override requestReceived(requestType: string, data: Uint8Array): boolean {
    const limits = this.conn!.limits;
    try {
      switch (requestType) {
        case 'pty-req': {
          if (this.started !== undefined || this.session.getPty === undefined) return false;
          const request = parsePtyRequest(data, limits.maxTerminalModesBytes);
          request.terminalModes = decodeTerminalModes(request.modes, limits.maxTerminalModes);
          this.session.getPty(request);
          this.terminal = request;
          return true;
        }
        case 'env': {
          const { name, value } = parseEnv(data, limits.maxRequestTextBytes);
          if (this.started !== undefined || this.session.setEnv === undefined || this.#envCount >= limits.maxEnvVariables) return false;
          if (!envAccepted(name, this.#options.acceptEnv ?? ['LANG', 'LC_*'])) return false;
          this.#envCount++;
          this.session.setEnv(name, value);
          return true;
        }
        case AGENT_FORWARDING_REQUEST: {
          const forwarding = this.#options.agentForwarding;
          if (forwarding === undefined || this.started !== undefined || this.#agent !== undefined || this.session.setEnv === undefined) return false;
          this.#agent = new ForwardedAgentSocket(forwarding.reactor, this.conn!, forwarding.directory);
          this.session.setEnv('SSH_AUTH_SOCK', this.#agent.path);
          return true;
        }
        case 'x11-req': {
          const forwarding = this.#options.x11Forwarding;
          if (forwarding === undefined || this.started !== undefined || this.#x11 !== undefined || this.session.setEnv === undefined) return false;
          const request = parseX11Request(data);
          this.#x11 = new X11Display(forwarding.reactor, this.conn!, request, {
            displayOffset: limits.x11DisplayOffset,
            maxDisplays: limits.maxX11Displays,
            ...(forwarding.directory === undefined ? {} : { directory: forwarding.directory }),
          });
          for (const [name, value] of Object.entries(this.#x11.environment)) this.session.setEnv(name, value);
          return true;
        }
        case 'shell':
          if (this.started !== undefined) return false;
          if (this.#options.shell !== undefined) return this.#startProtocol('shell', this.#options.shell);
          this.started = 'shell';
          this.#start(() => this.session.openShell(this.#processProtocol()));
          return true;
        case 'exec': {
          const command = parseStringData(data, limits.maxRequestTextBytes);
          if (this.started !== undefined) return false;
          this.started = 'exec';
          this.#start(() => this.session.execCommand(this.#processProtocol(), command));
          return true;
        }
        case 'subsystem':
          return this.#startSubsystem(parseStringData(data, 256));
        case 'window-change': {
          const size = parseWindowChange(data);
          if (this.terminal !== undefined) Object.assign(this.terminal, size);
          this.session.windowChanged?.(size);
          return this.session.windowChanged !== undefined;
        }
        case 'signal':
          this.session.signal?.(parseStringData(data, 32));
          return this.session.signal !== undefined;
        default:
          return false;
      }
    } catch (e) {
      if (e instanceof SSHMalformedMessageError) {
        this.conn!.protocolError(`${requestType}: ${e.message}`);
        return false;
      }
      log.info('session request {requestType} refused: {error}', { requestType, error: (e as Error).message });
      return false;
    }
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#subsystem !== undefined) this.#subsystem.dataReceived(data);
    else this.#processProtocol().input(data);
  }

  override eofReceived(): void {
    this.session.eofReceived?.();
    if (this.#subsystem !== undefined) {
      const halfClose = this.#subsystem as Partial<{ readConnectionLost(): void }>;
      if (typeof halfClose.readConnectionLost === 'function') halfClose.readConnectionLost();
      return;
    }
    this.#processProtocol().inputEnded();
  }

  override closed(): void {
    try {
      this.session.closed();
    } finally {
      this.#agent?.stop();
      this.#x11?.stop();
      this.#subsystemTransport?.connectionLost();
    }
  }

  /** Starts what the request asked for once its SUCCESS is sent; a failure to start ends the channel. */
  #start(fn: () => void): void {
    this.afterReply(() => {
      try {
        fn();
      } catch (e) {
        log.info('session {what} failed to start: {error}', { what: this.started ?? '', error: (e as Error).message });
        this.#processProtocol().errReceived(new TextEncoder().encode(`${(e as Error).message}\n`));
        this.#processProtocol().processEnded(new Failure(new ProcessTerminated(127, null)));
      }
    });
  }

  #processProtocol(): SSHSessionProcessProtocol {
    this.#protocol ??= new SSHSessionProcessProtocol(this);
    return this.#protocol;
  }

  #startSubsystem(name: string): boolean {
    const factory = this.#options.subsystems?.get(name);
    if (this.started !== undefined || factory === undefined) return false;
    return this.#startProtocol('subsystem', factory);
  }

  /** Runs a protocol over the channel (a subsystem, or a protocol shell). */
  #startProtocol(what: string, factory: SubsystemFactory): boolean {
    this.started = what;
    const protocol = factory(this);
    this.#subsystem = protocol;
    this.#subsystemTransport = new SubsystemTransport(this, protocol);
    this.afterReply(() => {
      protocol.makeConnection(this.#subsystemTransport!);
      this.resumeProducing();
    });
    return true;
  }
}
