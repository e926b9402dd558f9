/**
 * `ClientConchUser`: what a client lets the server open towards it — `forwarded-tcpip` channels for the
 * remote forwards it asked for (`ssh -R`), each connected to the local target registered for it, and
 * `auth-agent@openssh.com` channels to its agent when it forwards one (`ssh -A`) — and nothing else.
 * @module
 */
import type { Deferrable } from '../../defer/index.js';
import type { IReactorTCP, IReactorUNIX } from '../../internet/interfaces.js';
import { AGENT_CHANNEL, connectAgentChannel } from './agent-forwarding.js';
import type { SSHChannel } from './channel.js';
import { ChannelOpenError } from './errors.js';
import { connectChannel } from './forwarding.js';
import type { GlobalRequestAnswer, IConchUser } from './interfaces.js';
import { OPEN_ADMINISTRATIVELY_PROHIBITED, parseTCPIPOpenData, type HostPort } from './messages.js';

const key = ({ host, port }: HostPort) => `${host}:${port}`;

/** Options of a {@link ClientConchUser}. */
export interface ClientConchUserOptions {
  /**
   * The local agent's Unix socket to forward (`ssh -A`): sessions ask for agent forwarding and the server's
   * `auth-agent@openssh.com` channels are joined to this socket. None by default.
   */
  agentPath?: string;
}

/**
 * The client side's avatar: refuses every channel but the `forwarded-tcpip` ones it registered and, when it
 * forwards an agent, `auth-agent@openssh.com`.
 */
export class ClientConchUser implements IConchUser {
  readonly username = '';
  /** The agent socket forwarded, if any (needs a reactor with Unix sockets). */
  readonly agentPath: string | undefined;
  readonly #forwards = new Map<string, HostPort>();

  constructor(
    readonly reactor: IReactorTCP & Partial<IReactorUNIX>,
    options: ClientConchUserOptions = {},
  ) {
    this.agentPath = reactor.connectUNIX === undefined ? undefined : options.agentPath;
  }

  /** Connections the server accepts on `bound` (as it names it in `forwarded-tcpip`) go to `local`. */
  addRemoteForward(bound: HostPort, local: HostPort): void {
    this.#forwards.set(key(bound), local);
  }

  removeRemoteForward(bound: HostPort): void {
    this.#forwards.delete(key(bound));
  }

  lookupChannel(channelType: string, data: Uint8Array): Deferrable<SSHChannel> {
    if (channelType === AGENT_CHANNEL && this.agentPath !== undefined) return connectAgentChannel(this.reactor as IReactorUNIX, this.agentPath);
    const local = channelType === 'forwarded-tcpip' ? this.#forwards.get(key(parseTCPIPOpenData(data).target)) : undefined;
    if (local === undefined) throw new ChannelOpenError(`no ${channelType} channel was asked for`, OPEN_ADMINISTRATIVELY_PROHIBITED);
    return connectChannel(this.reactor, 'forwarded-tcpip', local);
  }

  gotGlobalRequest(): GlobalRequestAnswer {
    return false;
  }
}
