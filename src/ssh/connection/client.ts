/**
 * `SSHConnectionClient`: what a client does with an authenticated connection — run a command and collect
 * its output (`exec`), run a protocol over a command or subsystem (SFTP), forward a local port.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { reactor as defaultReactor } from '../../internet/index.js';
import type { IListeningPort, IProtocol, IReactorTCP } from '../../internet/interfaces.js';
import { concatBytes } from '../../cred/ssh-wire.js';
import { SSHChannel } from './channel.js';
import { ProtocolChannel } from './channel-transport.js';
import type { SSHConnection } from './connection.js';
import { ChannelClosedError, ExecOutputTooLargeError } from './errors.js';
import { forwardLocalPort } from './forwarding.js';
import { EXTENDED_DATA_STDERR, hostPort, parseBoundPort, parseExitSignal, parseExitStatus, stringData, type HostPort } from './messages.js';
import { ClientConchUser } from './client-avatar.js';
import { AGENT_FORWARDING_REQUEST } from './agent-forwarding.js';

/** What `exec` gives back. */
export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** The command's exit status; 255 when it was killed by a signal or the server sent none (as `ssh` exits). */
  exitStatus: number;
  /** The signal that killed the command (`TERM`, ...), when one did. */
  exitSignal?: string;
}

/** Options of `exec`. */
export interface ExecOptions {
  /** Bytes for the command's stdin; EOF follows them (and comes at once without them). */
  stdin?: Uint8Array | string;
}

/** What a session channel should start. */
export type SessionStart = { exec: string } | { subsystem: string } | { shell: true };

/** A session channel collecting a command's output and exit status. */
class ExecChannel extends SSHChannel {
  override name = 'session';
  readonly result = new Deferred<ExecResult>();
  readonly #stdout: Uint8Array[] = [];
  readonly #stderr: Uint8Array[] = [];
  #sizes = [0, 0];
  #status: number | undefined;
  #signal: string | undefined;

  constructor(readonly maxBytes: number) {
    super();
  }

  override requestReceived(requestType: string, data: Uint8Array): boolean {
    if (requestType === 'exit-status') this.#status = parseExitStatus(data);
    else if (requestType === 'exit-signal') this.#signal = parseExitSignal(data).signal;
    else return false;
    return true;
  }

  override dataReceived(data: Uint8Array): void {
    this.#collect(0, data);
  }

  override extReceived(dataType: number, data: Uint8Array): void {
    if (dataType === EXTENDED_DATA_STDERR) this.#collect(1, data);
  }

  override closed(): void {
    if (this.result.called) return;
    this.result.callback({
      stdout: concatBytes(...this.#stdout),
      stderr: concatBytes(...this.#stderr),
      exitStatus: this.#signal === undefined ? (this.#status ?? 255) : 255,
      ...(this.#signal === undefined ? {} : { exitSignal: this.#signal }),
    });
  }

  #collect(stream: 0 | 1, data: Uint8Array): void {
    if (this.result.called) return;
    this.#sizes[stream] += data.length;
    if (this.#sizes[stream] > this.maxBytes) {
      this.result.errback(new ExecOutputTooLargeError(`the command wrote more than ${this.maxBytes} bytes`));
      this.loseConnection();
      return;
    }
    (stream === 0 ? this.#stdout : this.#stderr).push(Uint8Array.from(data));
  }
}

/**
 * The client's actions on an authenticated connection.
 *
 * @example
 * const client = new SSHConnectionClient(connection);
 * const { stdout, stderr, exitStatus } = await client.exec('echo hi; echo oops >&2; exit 3');
 */
export class SSHConnectionClient {
  constructor(
    readonly connection: SSHConnection,
    readonly reactor: IReactorTCP = defaultReactor,
  ) {}

  /**
   * Runs `command` on a new session channel and collects its output (up to `maxExecOutputBytes` per
   * stream) until the server closes the channel.
   */
  exec(command: string, options: ExecOptions = {}): Deferred<ExecResult> {
    const channel = new ExecChannel(this.connection.limits.maxExecOutputBytes);
    return this.connection
      .openChannel(channel)
      .addCallback(() => this.#sessionRequests(channel))
      .addCallback(() => channel.sendRequest('exec', stringData(command), true))
      .addCallback(() => {
        if (options.stdin !== undefined) channel.write(options.stdin);
        channel.sendEOF();
        return channel.result;
      })
      .addErrback<ExecResult>((f: Failure) => {
        if (channel.isOpen) channel.loseConnection();
        return f;
      });
  }

  /**
   * Opens a session channel, starts `start` (a command, a subsystem such as `sftp`, or a shell) and runs
   * `protocol` over it once the server accepted. Fires with the protocol.
   */
  openSession<P extends IProtocol>(start: SessionStart, protocol: P): Deferred<P> {
    const channel = new ProtocolChannel(protocol, 'session');
    channel.startOnOpen = false;
    const [request, data] = 'exec' in start ? ['exec', stringData(start.exec)] : 'subsystem' in start ? ['subsystem', stringData(start.subsystem)] : ['shell', new Uint8Array()];
    return this.connection
      .openChannel(channel)
      .addCallback(() => this.#sessionRequests(channel))
      .addCallback(() => channel.sendRequest(request, data, true))
      .addCallbacks(
        () => {
          channel.startProtocol();
          return protocol;
        },
        (f: Failure): Failure => {
          if (channel.isOpen) channel.loseConnection();
          return f;
        },
      );
  }

  /** Runs `protocol` over the subsystem `name` (`sftp`). */
  openSubsystem<P extends IProtocol>(name: string, protocol: P): Deferred<P> {
    return this.openSession({ subsystem: name }, protocol);
  }

  /** Listens on `localPort` of `localInterface` and forwards each connection to `remote` through the server (`ssh -L`). */
  forwardLocalPort(localPort: number, remote: HostPort, localInterface = '127.0.0.1'): IListeningPort {
    return forwardLocalPort(this.reactor, this.connection, localPort, remote, localInterface);
  }

  /**
   * Asks the server to listen on `remote` (`ssh -R`; port 0 lets it choose) and sends each connection it
   * accepts to `local`. Fires with the port the server listens on. Needs the connection's avatar to be a
   * {@link ClientConchUser} (as `sshClientServices` makes it).
   */
  forwardRemotePort(remote: HostPort, local: HostPort): Deferred<number> {
    const avatar = this.connection.avatar;
    if (!(avatar instanceof ClientConchUser)) return Deferred.fail(new TypeError('remote forwarding needs a connection whose avatar is a ClientConchUser'));
    return this.connection.sendGlobalRequest('tcpip-forward', hostPort(remote), true).addCallback((reply) => {
      const port = remote.port === 0 ? parseBoundPort(reply) : remote.port;
      avatar.addRemoteForward({ host: remote.host, port }, local);
      return port;
    });
  }

  /** Stops a remote forward (`remote` with the port the server listens on). */
  cancelRemoteForward(remote: HostPort): Deferred<void> {
    if (this.connection.avatar instanceof ClientConchUser) this.connection.avatar.removeRemoteForward(remote);
    return this.connection.sendGlobalRequest('cancel-tcpip-forward', hostPort(remote), true).addCallback(() => undefined);
  }

  /** Sends `keepalive@openssh.com`; fires once the server answered (either way). */
  ping(): Deferred<void> {
    return this.connection
      .sendGlobalRequest('keepalive@openssh.com', new Uint8Array(), true)
      .addCallbacks(
        () => undefined,
        (f: Failure): Failure | undefined => (f.check(ChannelClosedError) ? f : undefined),
      );
  }

  /** Ends the connection. */
  close(): void {
    this.connection.loseConnection();
  }

  /**
   * What a new session asks for before it starts: agent forwarding when the avatar forwards an agent. No
   * reply is asked for, as OpenSSH's `ssh -A`: a server that refuses it still runs the command.
   */
  #sessionRequests(channel: SSHChannel): Deferred<void> | undefined {
    const avatar = this.connection.avatar;
    if (avatar instanceof ClientConchUser && avatar.agentPath !== undefined) return channel.sendRequest(AGENT_FORWARDING_REQUEST, new Uint8Array());
    return undefined;
  }
}
