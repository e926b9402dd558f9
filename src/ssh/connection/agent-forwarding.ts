/**
 * Agent forwarding, OpenSSH's way (its PROTOCOL file, `auth-agent-req@openssh.com` and
 * `auth-agent@openssh.com`): a session asks for it; the server makes a Unix socket for that session and
 * opens one `auth-agent@openssh.com` channel to the client for each connection a program makes to it; the
 * client joins each such channel to its own agent.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deferred } from '../../defer/index.js';
import type { IListeningPort, IReactorUNIX } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import type { SSHChannel } from './channel.js';
import type { SSHConnection } from './connection.js';
import { channelOpeningFactory, connectChannelWith } from './forwarding.js';

const log = new Logger({ namespace: 'torsion.ssh.agent-forwarding' });

/** The session request asking for agent forwarding. */
export const AGENT_FORWARDING_REQUEST = 'auth-agent-req@openssh.com';
/** The channel type carrying one connection to the forwarded agent. */
export const AGENT_CHANNEL = 'auth-agent@openssh.com';

/**
 * The server's side of one session's forwarded agent: a Unix socket (mode 0600) alone in a new private
 * directory (mode 0700), whose path goes to the session's programs as `SSH_AUTH_SOCK`. Each connection to
 * it is carried to the client in its own channel. {@link stop} removes the socket and the directory.
 */
export class ForwardedAgentSocket {
  /** The socket's path: `SSH_AUTH_SOCK` of the session. */
  readonly path: string;
  readonly #directory: string;
  readonly #port: IListeningPort;
  #stopped = false;

  /** Makes the directory and listens at once; throws when either cannot be done. */
  constructor(reactor: IReactorUNIX, connection: SSHConnection, parent: string = tmpdir()) {
    // mkdtemp makes the directory 0700: no other user reaches the socket, even for the moment before its chmod.
    this.#directory = mkdtempSync(join(parent, 'torsion-ssh-agent-'));
    this.path = join(this.#directory, 'agent.sock');
    try {
      this.#port = reactor.listenUNIX(this.path, channelOpeningFactory(connection, AGENT_CHANNEL, () => new Uint8Array()), { mode: 0o600 });
    } catch (e) {
      rmSync(this.#directory, { recursive: true, force: true });
      throw e;
    }
    log.info('agent forwarded at {path}', { path: this.path });
  }

  /** Stops listening and removes the socket and its directory (connections already made go on). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#port.stopListening().addBoth(() => {
      rmSync(this.#directory, { recursive: true, force: true });
      return undefined;
    });
  }
}

/**
 * The client's side of one `auth-agent@openssh.com` channel: a new connection to the agent's Unix socket at
 * `agentPath`; the channel opens once it is connected.
 */
export function connectAgentChannel(reactor: IReactorUNIX, agentPath: string): Deferred<SSHChannel> {
  return connectChannelWith(AGENT_CHANNEL, agentPath, (factory) => reactor.connectUNIX(agentPath, factory));
}
