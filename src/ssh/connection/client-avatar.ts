/**
 * `ClientConchUser`: what a client lets the server open towards it — `forwarded-tcpip` channels for the
 * remote forwards it asked for (`ssh -R`), each connected to the local target registered for it — and
 * nothing else.
 * @module
 */
import type { Deferrable } from '../../defer/index.js';
import type { IReactorTCP } from '../../internet/interfaces.js';
import type { SSHChannel } from './channel.js';
import { ChannelOpenError } from './errors.js';
import { connectChannel } from './forwarding.js';
import type { GlobalRequestAnswer, IConchUser } from './interfaces.js';
import { OPEN_ADMINISTRATIVELY_PROHIBITED, parseTCPIPOpenData, type HostPort } from './messages.js';

const key = ({ host, port }: HostPort) => `${host}:${port}`;

/** The client side's avatar: refuses every channel but the `forwarded-tcpip` ones it registered. */
export class ClientConchUser implements IConchUser {
  readonly username = '';
  readonly #forwards = new Map<string, HostPort>();

  constructor(readonly reactor: IReactorTCP) {}

  /** Connections the server accepts on `bound` (as it names it in `forwarded-tcpip`) go to `local`. */
  addRemoteForward(bound: HostPort, local: HostPort): void {
    this.#forwards.set(key(bound), local);
  }

  removeRemoteForward(bound: HostPort): void {
    this.#forwards.delete(key(bound));
  }

  lookupChannel(channelType: string, data: Uint8Array): Deferrable<SSHChannel> {
    const local = channelType === 'forwarded-tcpip' ? this.#forwards.get(key(parseTCPIPOpenData(data).target)) : undefined;
    if (local === undefined) throw new ChannelOpenError(`no ${channelType} channel was asked for`, OPEN_ADMINISTRATIVELY_PROHIBITED);
    return connectChannel(this.reactor, 'forwarded-tcpip', local);
  }

  gotGlobalRequest(): GlobalRequestAnswer {
    return false;
  }
}
