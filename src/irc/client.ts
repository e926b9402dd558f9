/**
 * `IRCClient`: an IRC client protocol in the manner of Twisted's `twisted.words.protocols.irc.IRCClient`.
 * Browser-safe: it talks only to its transport and to the clock it is given.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { Deferred } from '../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../internet/interfaces.js';
import { defaultReactor } from '../time/default-reactor.js';
import { IRC_MAX_MESSAGE_BYTES } from './limits.js';
import { CapNegotiation } from './cap.js';
import { ircEquals, ircLower } from './casemapping.js';
import { IRCClientHooks, type IRCClientTransport } from './client-hooks.js';
import { dispatch } from './client-handlers.js';
import { ctcpQuote } from './ctcp.js';
import { TokenBucket } from './flood.js';
import { ISupport } from './isupport.js';
import { makeMessage, type IRCMessage } from './message.js';
import { ReplyCollector, type NamesEntry, type WhoisInfo } from './queries.js';
import { splitMessage, utf8ByteLength } from './split.js';

/** A channel to join, with its key if it has one. */
export interface ChannelSpec {
  channel: string;
  key?: string;
}

/** Settings of an {@link IRCClient}; each is also a public field of the same name. */
export interface IRCClientOptions {
  nickname?: string;
  username?: string;
  realname?: string;
  /** The server password, sent as PASS. */
  password?: string;
  /** SASL PLAIN credentials: the client negotiates `sasl` and logs in before registering. */
  sasl?: { username: string; password: string };
  /** IRCv3 capabilities to request when the server offers them. */
  capabilities?: string[];
  /** Channels to join once signed on. */
  autoJoin?: ChannelSpec[];
  versionName?: string;
  versionNum?: string;
  versionEnv?: string;
  /** Where timers run: the environment's reactor by default (Node's, or the page's), or a test `Clock`. */
  clock?: IReactorTime;
  /** Seconds of silence from the server before the client sends a PING (0: never). */
  heartbeatInterval?: number;
  /** Seconds to wait for anything after that PING before `serverTimedOut`. */
  serverTimeout?: number;
  /** Lines sent back to back before the flood limit applies. */
  floodBurst?: number;
  /** Lines per second once the burst is spent (`Infinity`: no limit). */
  floodRate?: number;
}

const OPTION_KEYS = [
  'nickname', 'username', 'realname', 'password', 'sasl', 'capabilities', 'autoJoin', 'versionName', 'versionNum',
  'versionEnv', 'clock', 'heartbeatInterval', 'serverTimeout', 'floodBurst', 'floodRate',
] as const;

/** The longest host a server may show for us, for sizing messages before we know our own. */
const HOST_RESERVE = 63;

/**
 * An IRC client. Set the options (or fields), override the hooks of {@link IRCClientHooks}, connect it to a
 * transport; it registers (CAP/SASL, PASS, NICK, USER), retries with `alterCollidedNick` while its nick is
 * taken, answers PING and the common CTCP queries, keeps the connection alive, and paces what it sends.
 *
 * @example
 * class Greeter extends IRCClient {
 *   override signedOn() { this.join('#torsion'); }
 *   override userJoined(nick: string, channel: string) { this.msg(channel, `hello ${nick}`); }
 * }
 * connectProtocol(clientFromString(reactor, 'tcp:irc.example.org:6667'), new Greeter({ nickname: 'greeter' }));
 */
export class IRCClient<T extends IRCClientTransport = IRCClientTransport> extends IRCClientHooks<T> {
  /** The nick asked for, then the one the server confirmed. */
  nickname = 'torsion';
  /** The USER name (default: the nick). */
  username: string | undefined;
  /** The real name in USER (default: the nick). */
  realname: string | undefined;
  /** The server password, sent as PASS. */
  password: string | undefined;
  /** SASL PLAIN credentials. */
  sasl: { username: string; password: string } | undefined;
  /** IRCv3 capabilities requested when offered. */
  capabilities: string[] = ['multi-prefix', 'server-time', 'cap-notify', 'message-tags'];
  /** Channels joined once signed on. */
  autoJoin: ChannelSpec[] = [];
  /** The CTCP VERSION answer: `name:num:env`. */
  versionName = 'Torsion';
  /** See `versionName`. */
  versionNum = '0.1';
  /** See `versionName`. */
  versionEnv = 'TypeScript';
  /** Where the keepalive and the flood queue schedule. */
  clock: IReactorTime = defaultReactor();
  /** Seconds of silence before a keepalive PING (0: none). */
  heartbeatInterval = 120;
  /** Seconds to wait after that PING before `serverTimedOut`. */
  serverTimeout = 60;
  /** Lines sent back to back before pacing starts. */
  floodBurst = 5;
  /** Lines per second once the burst is spent. */
  floodRate = 2;
  /** The nick tried when the server calls ours erroneous during registration. */
  erroneousNickFallback = 'torsion';

  /** True once RPL_WELCOME arrived. */
  registered = false;
  /** True once `quit` was called: a reconnecting factory does not reconnect. */
  quitRequested = false;
  /** What the server announced in ISUPPORT. */
  readonly supported = new ISupport();
  /** Capability negotiation and its results (`cap.enabled`). */
  readonly cap = new CapNegotiation(this);
  /** The channels joined, by folded name. */
  readonly channels = new Map<string, ChannelSpec>();
  /** Our own `nick!user@host` once the server showed it. */
  hostmask: string | undefined;
  /**
   * The message whose hook is running, for what the hook's arguments leave out: its IRCv3 tags
   * (`server-time`'s `time`, `msgid`, `account`). Undefined outside hooks.
   * @example override privmsg(user, channel, text) { const at = this.currentMessage?.tags.time; }
   */
  currentMessage: IRCMessage | undefined;
  /** The MOTD lines being collected. */
  motd: string[] | undefined;
  /** @internal NAMES replies being collected, by folded channel. */
  readonly namesReplies = new ReplyCollector<NamesEntry[]>(() => []);
  /** @internal WHOIS replies being collected, by folded nick. */
  readonly whoisReplies = new ReplyCollector<WhoisInfo>((nick) => ({ nick, operator: false, channels: [] }));
  /** @internal The nick last sent with NICK, for collisions. */
  attemptedNick = '';
  /** @internal Keys given to `join`, by folded channel, until the JOIN comes back. */
  readonly pendingKeys = new Map<string, string>();
  /** @internal CTCP PINGs sent, by folded nick: when. */
  readonly ctcpPings = new Map<string, number>();

  #bucket: TokenBucket<Uint8Array> | undefined;
  #heartbeat: IDelayedCall | undefined;
  #lastReceived = 0;
  #pingSentAt: number | undefined;

  constructor(options: IRCClientOptions = {}) {
    super();
    for (const key of OPTION_KEYS) if (options[key] !== undefined) (this as Record<string, unknown>)[key] = options[key];
  }

  /** Folds a nick or channel name by the server's case mapping. */
  fold(name: string): string {
    return ircLower(name, this.supported.casemapping);
  }

  /** True when `nick` is this client's nick. */
  isMe(nick: string): boolean {
    return ircEquals(nick, this.nickname, this.supported.casemapping);
  }

  override connectionMade(): void {
    this.#bucket = new TokenBucket(this.clock, this.floodBurst, this.floodRate, (bytes) => {
      if (this.connected && !this.transport.disconnecting) this.transport.write(bytes);
    });
    if (this.capabilities.length > 0 || this.sasl) this.cap.start();
    if (this.password !== undefined) this.sendCommand('PASS', this.password);
    this.setNick(this.nickname);
    this.sendCommand('USER', this.username ?? this.nickname, '0', '*', this.realname ?? this.nickname);
    this.#lastReceived = this.clock.seconds();
    this.#scheduleHeartbeat(this.heartbeatInterval);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
    this.#bucket?.clear();
    this.namesReplies.failAll('connection lost');
    this.whoisReplies.failAll('connection lost');
  }

  override messageReceived(msg: IRCMessage): void {
    this.#lastReceived = this.clock.seconds();
    this.currentMessage = msg;
    try {
      dispatch(this, msg);
    } finally {
      this.currentMessage = undefined;
    }
  }

  /** Sends through the flood-protection queue; errors in `msg` throw here, at once. */
  override sendMessage(msg: IRCMessage): void {
    const bytes = this.encodeMessage(msg);
    if (this.#bucket) this.#bucket.push(bytes);
    else this.transport.write(bytes);
  }

  /** Sends ahead of the flood queue: PONG and keepalive PINGs, which must not wait behind chatter. */
  sendNow(command: string, ...params: string[]): void {
    this.transport.write(this.encodeMessage(makeMessage(command, ...params)));
  }

  /** Lines waiting in the flood queue. */
  get queuedLines(): number {
    return this.#bucket?.queued ?? 0;
  }

  // ------------------------------------------------------------------ commands

  /** Asks for `nick`. */
  setNick(nick: string): void {
    this.attemptedNick = nick;
    this.sendCommand('NICK', nick);
  }

  /** The nick to try when `nick` is taken during registration. Default: an underscore appended. */
  alterCollidedNick(nick: string): string {
    return `${nick}_`;
  }

  /** Joins `channel`, with `key` if it has one. */
  join(channel: string, key?: string): void {
    if (key !== undefined) {
      this.pendingKeys.set(this.fold(channel), key);
      this.sendCommand('JOIN', channel, key);
    } else this.sendCommand('JOIN', channel);
  }

  /** Leaves `channel`. */
  part(channel: string, reason?: string): void {
    if (reason !== undefined) this.sendCommand('PART', channel, reason);
    else this.sendCommand('PART', channel);
  }

  /** Same as `part` (Twisted's name). */
  leave(channel: string, reason?: string): void {
    this.part(channel, reason);
  }

  /**
   * Sends `message` to `user` (a nick or channel), split on line breaks and into as many PRIVMSGs as the
   * 512-byte limit needs, never cutting a UTF-8 character. `length` caps each piece further, in bytes.
   */
  msg(user: string, message: string, length?: number): void {
    for (const piece of splitMessage(message, this.#room('PRIVMSG', user, length))) this.sendCommand('PRIVMSG', user, piece);
  }

  /** Same as `msg` (Twisted's name for channels). */
  say(channel: string, message: string, length?: number): void {
    this.msg(channel, message, length);
  }

  /** Sends a notice, split as `msg` splits. */
  notice(user: string, message: string): void {
    for (const piece of splitMessage(message, this.#room('NOTICE', user))) this.sendCommand('NOTICE', user, piece);
  }

  /** Sends a CTCP ACTION (`/me`) to `channel` or a user. */
  me(channel: string, action: string): void {
    for (const piece of splitMessage(action, this.#room('PRIVMSG', channel) - 9)) this.sendCommand('PRIVMSG', channel, ctcpQuote([['ACTION', piece]]));
  }

  /** Same as `me` (Twisted's name). */
  describe(channel: string, action: string): void {
    this.me(channel, action);
  }

  /** Asks for the topic of `channel`, or sets it when `topic` is given (`''` clears it). */
  topic(channel: string, topic?: string): void {
    if (topic === undefined) this.sendCommand('TOPIC', channel);
    else this.sendCommand('TOPIC', channel, topic);
  }

  /** Kicks `user` from `channel`. */
  kick(channel: string, user: string, reason?: string): void {
    if (reason !== undefined) this.sendCommand('KICK', channel, user, reason);
    else this.sendCommand('KICK', channel, user);
  }

  /** Invites `user` to `channel`. */
  invite(user: string, channel: string): void {
    this.sendCommand('INVITE', user, channel);
  }

  /**
   * Sets (`set`) or unsets modes on a channel or on this client, with their parameters in order.
   * @example client.mode('#chan', true, 'ov', 'alice', 'bob') // MODE #chan +ov alice bob
   */
  mode(target: string, set: boolean, modes: string, ...args: string[]): void {
    this.sendCommand('MODE', target, `${set ? '+' : '-'}${modes}`, ...args);
  }

  /** Lists the members of `channel`: fires with the names once RPL_ENDOFNAMES arrives. */
  names(channel: string): Deferred<NamesEntry[]> {
    const d = this.namesReplies.wait(this.fold(channel));
    this.sendCommand('NAMES', channel);
    return d;
  }

  /** Asks who `nick` is: fires with the collected reply, or fails with `IRCReplyError` (no such nick). */
  whois(nick: string): Deferred<WhoisInfo> {
    const d = this.whoisReplies.wait(this.fold(nick));
    this.sendCommand('WHOIS', nick);
    return d;
  }

  /** Marks this client away with `message`, or back when `message` is omitted. */
  away(message?: string): void {
    if (message) this.sendCommand('AWAY', message);
    else this.sendCommand('AWAY');
  }

  /** Sends CTCP queries to `user`. */
  ctcpMakeQuery(user: string, messages: ReadonlyArray<readonly [string, string?]>): void {
    this.sendCommand('PRIVMSG', user, ctcpQuote(messages));
  }

  /** Sends CTCP replies to `user`. */
  ctcpMakeReply(user: string, messages: ReadonlyArray<readonly [string, string?]>): void {
    this.sendCommand('NOTICE', user, ctcpQuote(messages));
  }

  /** Measures the round trip to `user` with a CTCP PING; the answer arrives at `pong`. */
  ping(user: string): void {
    const now = this.clock.seconds();
    this.ctcpPings.set(this.fold(user), now);
    this.ctcpMakeQuery(user, [['PING', String(Math.round(now * 1000))]]);
  }

  /** Leaves the network; a reconnecting factory will not reconnect. */
  quit(message = ''): void {
    this.quitRequested = true;
    this.sendCommand('QUIT', message);
  }

  // ------------------------------------------------------------------ internals

  /** Bytes left for the text of `command target :` given our prefix as the server will relay it. */
  #room(command: string, target: string, length?: number): number {
    const prefix = this.hostmask ?? `${this.nickname}!~${this.username ?? this.nickname}@${'x'.repeat(HOST_RESERVE)}`;
    const room = IRC_MAX_MESSAGE_BYTES - 2 - utf8ByteLength(`:${prefix} ${command} ${target} :`);
    return Math.max(16, length !== undefined ? Math.min(length, room) : room);
  }

  #scheduleHeartbeat(seconds: number): void {
    if (!(this.heartbeatInterval > 0)) return;
    this.#heartbeat = this.clock.callLater(seconds, () => this.#beat());
  }

  #beat(): void {
    this.#heartbeat = undefined;
    if (!this.connected) return;
    const now = this.clock.seconds();
    if (this.#pingSentAt !== undefined && this.#lastReceived <= this.#pingSentAt) {
      const waited = now - this.#pingSentAt;
      if (waited >= this.serverTimeout) this.serverTimedOut();
      else this.#scheduleHeartbeat(this.serverTimeout - waited);
      return;
    }
    const idle = now - this.#lastReceived;
    if (idle < this.heartbeatInterval) {
      this.#scheduleHeartbeat(this.heartbeatInterval - idle);
      return;
    }
    this.#pingSentAt = now;
    this.sendNow('PING', `torsion-${Math.round(now)}`);
    this.#scheduleHeartbeat(this.serverTimeout);
  }
}
