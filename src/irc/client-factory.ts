/**
 * `IRCClientFactory`: connects an `IRCClient` and keeps it connected through `ReconnectingClientFactory`,
 * joining again the channels it was in. Node-only (the reconnecting factory schedules on the reactor), so it
 * is not part of the browser entry.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { IAddress, IConnector } from '../internet/interfaces.js';
import { ReconnectingClientFactory } from '../internet/reconnect.js';
import type { ChannelSpec, IRCClient } from './client.js';

/**
 * Builds a fresh client per connection with `makeClient`, reconnects with back-off when the connection fails
 * or drops (unless the client called `quit`), and has each new client join the channels the last one was in,
 * keys included. `channels` starts with the ones given.
 *
 * @example
 * const factory = new IRCClientFactory(() => new Bot({ nickname: 'bot' }), [{ channel: '#torsion' }]);
 * reactor.connectTCP('127.0.0.1', 6667, factory);
 */
export class IRCClientFactory<C extends IRCClient = IRCClient> extends ReconnectingClientFactory<C> {
  /** The channels the next client joins once signed on. */
  channels: ChannelSpec[];
  /** The client of the current (or last) connection. */
  client: C | undefined;

  constructor(
    readonly makeClient: () => C,
    channels: ChannelSpec[] = [],
  ) {
    super();
    this.channels = [...channels];
  }

  override buildProtocol(_addr: IAddress): C {
    this.resetDelay();
    const client = this.makeClient();
    client.factory = this;
    const seen = new Set(client.autoJoin.map((s) => client.fold(s.channel)));
    client.autoJoin = [...client.autoJoin, ...this.channels.filter((s) => !seen.has(client.fold(s.channel)))];
    this.client = client;
    return client;
  }

  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    const client = this.client;
    if (client?.registered) this.channels = [...client.channels.values()];
    if (client?.quitRequested) {
      this.stopTrying();
      return;
    }
    super.clientConnectionLost(connector, reason);
  }
}
