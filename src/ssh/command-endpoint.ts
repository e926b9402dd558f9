/**
 * `SSHCommandClientEndpoint` (Twisted Conch's `endpoints.SSHCommandClientEndpoint`): an endpoint whose
 * connections are a command on an SSH server, its stdin and stdout the protocol's stream.
 * @module
 */
import { Deferred, type Failure } from '../defer/index.js';
import type { IStreamClientEndpoint } from '../internet/endpoints/interfaces.js';
import type { IAddress, IProtocol, IProtocolFactory, ITransport } from '../internet/interfaces.js';
import { SSHClient, type SSHClientReactor } from './client.js';
import type { ISSHSigningKey } from './interfaces.js';
import type { KnownHostsFile } from './keys/known-hosts.js';

/** The address a protocol over {@link SSHCommandClientEndpoint} is built for: the command and where it runs. */
export class SSHCommandAddress implements IAddress {
  readonly type = 'PROCESS' as const;
  constructor(
    readonly username: string,
    readonly host: string,
    readonly port: number,
    readonly command: string,
  ) {}
}

/** Options of {@link SSHCommandClientEndpoint.newConnection}. */
export interface SSHCommandEndpointOptions {
  /** Default 22. */
  port?: number;
  /** Keys to offer (`Key.fromString`, `Key.fromFile`, an agent's). */
  keys?: readonly ISSHSigningKey[];
  password?: string;
  /** An endpoint to an SSH agent, whose keys are offered after `keys`. */
  agentEndpoint?: IStreamClientEndpoint;
  /** A `KnownHostsFile` or a path (default `~/.ssh/known_hosts`). */
  knownHosts?: KnownHostsFile | string;
  /** Trust and remember a host not known yet (default false). */
  acceptNewHostKeys?: boolean;
}

/**
 * Runs a command over SSH for each `connect`: the factory's protocol gets the command's stdout, and what
 * it writes is the command's stdin. When the command's channel closes, the SSH connection closes too.
 *
 * @example
 * const endpoint = SSHCommandClientEndpoint.newConnection(reactor, 'cat', 'alice', 'example.org', { keys: [key], knownHosts: path });
 * const protocol = await endpoint.connect(factory);
 */
export class SSHCommandClientEndpoint implements IStreamClientEndpoint {
  private constructor(
    readonly reactor: SSHClientReactor,
    readonly command: string,
    readonly username: string,
    readonly hostname: string,
    readonly options: SSHCommandEndpointOptions,
  ) {}

  /** An endpoint that opens a new SSH connection for each `connect`. */
  static newConnection(reactor: SSHClientReactor, command: string, username: string, hostname: string, options: SSHCommandEndpointOptions = {}): SSHCommandClientEndpoint {
    return new SSHCommandClientEndpoint(reactor, command, username, hostname, options);
  }

  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const { port = 22, keys, password, agentEndpoint, knownHosts, acceptNewHostKeys } = this.options;
    const protocol = factory.buildProtocol(new SSHCommandAddress(this.username, this.hostname, port, this.command));
    if (protocol === null) return Deferred.fail(new Error('the factory refused to build a protocol'));
    return SSHClient.connect({
      reactor: this.reactor,
      host: this.hostname,
      port,
      username: this.username,
      ...(keys === undefined ? {} : { keys }),
      ...(password === undefined ? {} : { password }),
      ...(agentEndpoint === undefined ? {} : { agent: agentEndpoint }),
      ...(knownHosts === undefined ? {} : { knownHosts }),
      ...(acceptNewHostKeys === undefined ? {} : { acceptNewHostKeys }),
    }).addCallback((client) =>
      client
        .openSession({ exec: this.command }, new ClosingProtocol(protocol, () => void client.close()))
        .addCallbacks(
          () => protocol,
          (f: Failure): Failure => {
            void client.close();
            return f;
          },
        ),
    );
  }
}

/** Hands everything to the caller's protocol, and ends the SSH connection once the command's channel is gone. */
class ClosingProtocol implements IProtocol {
  #transport: ITransport | undefined;

  constructor(
    readonly inner: IProtocol,
    readonly onLost: () => void,
  ) {}

  makeConnection(transport: ITransport): void {
    this.#transport = transport;
    this.inner.makeConnection(transport);
  }

  connectionMade(): void {
    this.inner.connectionMade();
  }

  dataReceived(data: Uint8Array): void {
    this.inner.dataReceived(data);
  }

  readConnectionLost(): void {
    const halfClose = this.inner as Partial<{ readConnectionLost(): void }>;
    if (typeof halfClose.readConnectionLost === 'function') halfClose.readConnectionLost();
    else this.#transport?.loseConnection();
  }

  connectionLost(reason: Failure): void {
    try {
      this.inner.connectionLost(reason);
    } finally {
      this.onLost();
    }
  }
}
