/**
 * `SSHClient`: the client API in one call. It connects through the reactor, checks the server's host key
 * against a `known_hosts` file, authenticates with a key, an agent's keys or a password, and then runs
 * commands and SFTP over the one connection.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Deferred, type Failure } from '../defer/index.js';
import type { IReactorTCP, IReactorTime, IReactorUNIX } from '../internet/interfaces.js';
import type { IStreamClientEndpoint } from '../internet/endpoints/interfaces.js';
import { TCPClientEndpoint, connectProtocol, reactor as defaultReactor } from '../internet/index.js';
import type { SSHPublicKey } from '../cred/ssh-keys.js';
import { sshClientServices } from './client-services.js';
import type { ExecOptions, ExecResult, SessionStart } from './connection/client.js';
import type { SSHConnectionClient } from './connection/client.js';
import type { ISSHSigningKey } from './interfaces.js';
import { SSHAgentClient } from './keys/agent.js';
import { AgentConnectionError } from './keys/errors.js';
import { Key } from './keys/key.js';
import { KnownHostsFile } from './keys/known-hosts.js';
import { SFTPClient, type SFTPClientOptions } from './sftp/index.js';
import { SSHClientTransport, type SSHClientTransportOptions } from './transport/client.js';
import type { IProtocol } from '../internet/interfaces.js';

/** The reactor an SSH client needs: TCP to connect, Unix sockets for an agent, time for timeouts. */
export type SSHClientReactor = IReactorTCP & IReactorTime & Partial<IReactorUNIX>;

/** Options of {@link SSHClient.connect}. */
export interface SSHClientConnectOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** A private key: its text (OpenSSH, PEM or PKCS#8) or a {@link Key}. */
  privateKey?: string | Uint8Array | Key;
  /** The passphrase of an encrypted `privateKey` text. */
  passphrase?: string;
  /** More keys to offer, after `privateKey`. */
  keys?: readonly ISSHSigningKey[];
  /** The password, for `password` and `keyboard-interactive`. */
  password?: string;
  /**
   * The host keys trusted: a `known_hosts` path or a {@link KnownHostsFile} (default `~/.ssh/known_hosts`).
   * An unknown key fails with `UnknownHostKeyError`, a changed one with `HostKeyMismatchError`.
   */
  knownHosts?: string | KnownHostsFile;
  /** Trust and remember (append to `knownHosts`) the key of a host not known yet (default false). A changed key is still refused. */
  acceptNewHostKeys?: boolean;
  /**
   * Offer an agent's keys: true for `SSH_AUTH_SOCK`, a socket path, an endpoint to the agent, or a
   * connected {@link SSHAgentClient}.
   */
  agent?: boolean | string | IStreamClientEndpoint | SSHAgentClient;
  /**
   * Forward an agent to the server's sessions (`ssh -A`): true for `SSH_AUTH_SOCK`, or the agent's socket
   * path. Every session this client opens asks for it; the server's programs then use this agent through
   * `SSH_AUTH_SOCK` over the connection. Default false: forward it only to servers you trust.
   */
  forwardAgent?: boolean | string;
  /** Connects and times (default: the global reactor). */
  reactor?: SSHClientReactor;
  /** Seconds to wait for the TCP connection (the reactor's default otherwise). */
  connectTimeout?: number;
  /** Transport options (algorithms, limits); `verifyHostKey` is the client's own. */
  transport?: Omit<SSHClientTransportOptions, 'verifyHostKey'>;
}

function toKey(privateKey: string | Uint8Array | Key, passphrase: string | undefined): Key {
  return privateKey instanceof Key ? privateKey : Key.fromString(privateKey, passphrase === undefined ? {} : { passphrase });
}

function loadKnownHosts(knownHosts: string | KnownHostsFile | undefined): Deferred<KnownHostsFile> {
  if (knownHosts instanceof KnownHostsFile) return Deferred.succeed(knownHosts);
  return KnownHostsFile.fromPath(knownHosts ?? join(homedir(), '.ssh', 'known_hosts'));
}

function agentKeys(agent: SSHClientConnectOptions['agent'], reactor: SSHClientReactor): Deferred<{ keys: ISSHSigningKey[]; client?: SSHAgentClient }> {
  if (agent === undefined || agent === false) return Deferred.succeed({ keys: [] });
  let connected: Deferred<SSHAgentClient>;
  if (agent instanceof SSHAgentClient) connected = Deferred.succeed(agent);
  else if (agent === true || typeof agent === 'string') {
    const path = agent === true ? undefined : agent;
    connected = SSHAgentClient.connect({ ...(path === undefined ? {} : { path }), ...(reactor.connectUNIX === undefined ? {} : { reactor: reactor as IReactorUNIX & IReactorTime }) });
  } else connected = connectProtocol(agent, new SSHAgentClient({ clock: reactor }));
  return connected.addCallback((client) => client.requestIdentities().addCallback((keys) => ({ keys: keys as ISSHSigningKey[], client: agent instanceof SSHAgentClient ? undefined : client })));
}

/**
 * An authenticated SSH connection (Twisted Conch's client, in the shape of the common Node clients).
 * Every call returns a Deferred.
 *
 * @example
 * const ssh = await SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', privateKey: keyText, knownHosts: path });
 * const { stdout, stderr, exitStatus } = await ssh.exec('uname -a');
 * const sftp = await ssh.sftp();
 * await sftp.writeFile('notes.txt', 'hello');
 * await ssh.close();
 */
export class SSHClient {
  readonly #closed = new Deferred<void>();
  #isClosed = false;

  private constructor(
    /** The transport layer (algorithms negotiated, the peer's host key, re-keying). */
    readonly transport: SSHClientTransport,
    /** The connection layer's client: sessions, forwarding, keepalives. */
    readonly connection: SSHConnectionClient,
    /** The agent connection this client opened, closed with it. */
    readonly agent: SSHAgentClient | undefined,
  ) {}

  /**
   * Connects to `host`, checks its key, authenticates. Fails with `UnknownHostKeyError` or
   * `HostKeyMismatchError` (from the known hosts), `AuthenticationFailedError`, or the connection's error.
   */
  static connect(options: SSHClientConnectOptions): Deferred<SSHClient> {
    const reactor = options.reactor ?? defaultReactor;
    const port = options.port ?? 22;
    let keys: ISSHSigningKey[];
    try {
      keys = [...(options.privateKey === undefined ? [] : [toKey(options.privateKey, options.passphrase)]), ...(options.keys ?? [])];
    } catch (e) {
      return Deferred.fail(e);
    }
    const forwardAgent = options.forwardAgent === true ? process.env.SSH_AUTH_SOCK : options.forwardAgent === false ? undefined : options.forwardAgent;
    if (options.forwardAgent === true && (forwardAgent === undefined || forwardAgent === '')) return Deferred.fail(new AgentConnectionError('no agent to forward: SSH_AUTH_SOCK is not set'));
    let hostKeyError: unknown;
    return loadKnownHosts(options.knownHosts).addCallback((known) =>
      agentKeys(options.agent, reactor).addCallback(({ keys: fromAgent, client: agent }) => {
        const verifyHostKey = (key: SSHPublicKey): PromiseLike<boolean> =>
          known
            .verifyHostKey(options.host, port, key, { acceptNewHostKeys: options.acceptNewHostKeys ?? false })
            .addCallbacks(
              () => true,
              (f: Failure) => {
                hostKeyError = f.value;
                return false;
              },
            );
        const transport = new SSHClientTransport({ ...options.transport, verifyHostKey });
        const endpoint = new TCPClientEndpoint(reactor, options.host, port, options.connectTimeout === undefined ? {} : { timeout: options.connectTimeout });
        const closeAgent = () => agent?.close();
        return connectProtocol(endpoint, transport)
          .addCallback(() => transport.whenSecure())
          .addCallback(() => {
            const { userauth, ready } = sshClientServices({
              username: options.username,
              password: options.password,
              keys: [...keys, ...fromAgent],
              reactor,
              ...(forwardAgent === undefined ? {} : { forwardAgent }),
            });
            void transport.requestService(userauth).addErrback(() => undefined);
            return ready;
          })
          .addCallbacks(
            (connection) => {
              const client = new SSHClient(transport, connection, agent);
              transport.whenClosed().addBoth(() => client.#markClosed());
              return client;
            },
            (f: Failure): Failure => {
              closeAgent();
              if (transport.closeReason === undefined && transport.transport !== undefined) transport.transport.loseConnection();
              if (hostKeyError !== undefined) throw hostKeyError;
              return f;
            },
          );
      }),
    );
  }

  /** Runs `command` and collects its output and exit status. */
  exec(command: string, options: ExecOptions = {}): Deferred<ExecResult> {
    return this.connection.exec(command, options);
  }

  /** Opens a session (a command, a subsystem or a shell) with `protocol` on its stdin/stdout. */
  openSession<P extends IProtocol>(start: SessionStart, protocol: P): Deferred<P> {
    return this.connection.openSession(start, protocol);
  }

  /** An SFTP client over the `sftp` subsystem, once the server's version arrived. */
  sftp(options: SFTPClientOptions = {}): Deferred<SFTPClient> {
    return this.connection.openSubsystem('sftp', new SFTPClient(options)).addCallback((client) => client.whenReady());
  }

  /** Ends the connection; fires once it is closed. */
  close(): Deferred<void> {
    if (!this.#isClosed) this.connection.close();
    const done = new Deferred<void>();
    this.#closed.addBoth(() => {
      done.callback(undefined);
      return undefined;
    });
    return done;
  }

  #markClosed(): undefined {
    if (this.#isClosed) return undefined;
    this.#isClosed = true;
    this.agent?.close();
    this.#closed.callback(undefined);
    return undefined;
  }
}
