/**
 * The events an {@link IRCClient} reports, as overridable no-op methods named as in Twisted's
 * `twisted.words.protocols.irc.IRCClient`. `user` is the full `nick!user@host` where Twisted passes it, and
 * the bare nick in the `user*` membership events, as Twisted does.
 * @module
 */
import type { ITCPTransport, ITransport } from '../internet/interfaces.js';
import { IRCLineReceiver } from './receiver.js';
import type { NamesEntry, WhoisInfo } from './queries.js';

/** What an IRC client runs over: any transport; it pauses reading and aborts where the transport can. */
export type IRCClientTransport = ITransport & Partial<ITCPTransport>;

/** The hooks of `IRCClient`; subclass `IRCClient` and override the ones you need. */
export class IRCClientHooks<T extends IRCClientTransport = IRCClientTransport> extends IRCLineReceiver<T> {
  /** Registration finished (RPL_WELCOME): commands can be sent. */
  signedOn(): void {}

  /** This client joined `channel`. */
  joined(_channel: string): void {}

  /** This client left `channel`. */
  left(_channel: string): void {}

  /** A message to `channel`, or to this client when `channel` is its own nick. `user` is `nick!user@host`. */
  privmsg(_user: string, _channel: string, _message: string): void {}

  /** A notice, addressed as in `privmsg`. */
  noticed(_user: string, _channel: string, _message: string): void {}

  /** A CTCP ACTION (`/me waves`) from `user` to `channel`. */
  action(_user: string, _channel: string, _data: string): void {}

  /** `user` (a nick) joined `channel`. */
  userJoined(_user: string, _channel: string): void {}

  /** `user` (a nick) left `channel`. */
  userLeft(_user: string, _channel: string, _reason?: string): void {}

  /** `user` (a nick) quit the network. */
  userQuit(_user: string, _quitMessage: string): void {}

  /** `kickee` was kicked from `channel` by `kicker`. */
  userKicked(_kickee: string, _channel: string, _kicker: string, _message: string): void {}

  /** `oldname` is now known as `newname`. */
  userRenamed(_oldname: string, _newname: string): void {}

  /** This client's nick is now `nick`. */
  nickChanged(_nick: string): void {}

  /** A NICK this client sent after registration was refused (in use, erroneous). */
  nickChangeFailed(_nick: string, _reason: string): void {}

  /** The topic of `channel` is `newTopic` (set by `user`, or sent on join by the server). */
  topicUpdated(_user: string, _channel: string, _newTopic: string): void {}

  /** This client was kicked from `channel`. */
  kickedFrom(_channel: string, _kicker: string, _message: string): void {}

  /**
   * Modes changed on `channel` (or on this client, when `channel` is its nick): one call per `+`/`-` run,
   * `args[i]` being the parameter of `modes[i]`, if it takes one.
   */
  modeChanged(_user: string, _channel: string, _set: boolean, _modes: string, _args: Array<string | undefined>): void {}

  /** The member list of `channel` arrived (after joining, or after `names`). */
  namesReceived(_channel: string, _names: NamesEntry[]): void {}

  /** A WHOIS reply is complete. */
  whoisReceived(_info: WhoisInfo): void {}

  /** The message of the day, line by line. */
  receivedMOTD(_motd: string[]): void {}

  /** `user` invited this client to `channel`. */
  invited(_user: string, _channel: string): void {}

  /** A CTCP query other than ACTION, VERSION, PING, CLIENTINFO and TIME (which are answered already). */
  ctcpQuery(_user: string, _channel: string, _tag: string, _data: string): void {}

  /** A CTCP reply (in a NOTICE) other than the PING replies `ping` waits for. */
  ctcpReply(_user: string, _channel: string, _tag: string, _data: string): void {}

  /** The answer to `ping(user)`: the round trip took `secs`. */
  pong(_user: string, _secs: number): void {}

  /** SASL authentication worked; `account` is the account name when the server gave it (RPL_LOGGEDIN). */
  saslSucceeded(_account: string | undefined): void {}

  /** SASL authentication failed; registration goes on unauthenticated. */
  saslFailed(_reason: string): void {}

  /** The server sent ERROR (it is about to close the connection). */
  serverError(_message: string): void {}

  /**
   * Nothing came from the server for `heartbeatInterval + serverTimeout` seconds, our PING included. The
   * default aborts the connection, so a reconnecting factory starts over.
   */
  serverTimedOut(): void {
    const t = this.transport;
    if (t.abortConnection) t.abortConnection();
    else t.loseConnection();
  }

  /** A command or numeric with no handler. */
  irc_unknown(_prefix: string | undefined, _command: string, _params: string[]): void {}
}
