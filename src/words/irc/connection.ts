/**
 * `IRCServerProtocol`: one client connection of the IRC server. It frames and parses lines (through
 * `IRCLineReceiver`), applies the flood limit, dispatches commands (see `commands/`), keeps the idle ping,
 * and, once registered, is the {@link IChatClient} through which the words service talks to this user.
 *
 * Call order: `connectionMade` → lines (`NICK`/`USER`/`CAP`/`PASS`/`AUTHENTICATE` until registered, then
 * everything) → `connectionLost`, which logs the user out of the service whatever the reason.
 * @module
 */
import { Failure, type Deferred } from '../../defer/index.js';
import type { IStreamTransport, ITCPTransport } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import type { ChatMessage, ChatSignal, ChatUser, IChatClient, LeaveKind, RoomChange, VerifiedAccount } from '../index.js';
import type { IRCMessage } from '../../irc/message.js';
import { IRCLineReceiver, type IRCLimit } from '../../irc/receiver.js';
import { ERR_INPUTTOOLONG } from '../../irc/numerics.js';
import { IRC_MAX_CLIENT_TAG_BYTES } from '../../irc/limits.js';
import { labeledResponse, labelOf, withLabel } from './labeled.js';
import { dispatch } from './commands/index.js';
import { wireOf } from './kinds.js';
import { formatRoomChanges } from './modes.js';
import { sendJoinState } from './commands/channel.js';
import type { IRCServerFactory } from './factory.js';
import { formatServerLine } from './wire.js';
import { messageTags, relayLine, WANT_TAGS, WANT_TIME } from './relay.js';
import { OutputLog } from './output-log.js';
import { InputThrottle, RequestQueue } from './throttle.js';
import { runHistoryRequest, type HistoryRequest } from './commands/history.js';

const log = new Logger({ namespace: 'torsion.irc.server' });
const encoder = new TextEncoder();
const NO_CAPS: ReadonlySet<string> = new Set();
/** How many commands a client may pipeline behind a login still in flight. */
const MAX_HELD_COMMANDS = 64;
const UNKNOWN_HOST = 'unknown';

/** What a client connection runs over: a stream transport (its write buffer is watched); aborted where it can be. */
export type IRCServerTransport = IStreamTransport & Partial<ITCPTransport>;

/** Where a connection is in registration. */
export interface RegistrationState {
  nick?: string;
  username?: string;
  realname?: string;
  password?: string;
  /** True between `CAP LS`/`CAP REQ` and `CAP END`: registration waits (IRCv3 capability negotiation). */
  capNegotiating: boolean;
  /** True while a login is in flight with the service. */
  loggingIn: boolean;
  /** The account proven by SASL, if any. */
  account?: VerifiedAccount;
  /** The SASL exchange in progress: the mechanism and the base64 received so far. */
  sasl?: { mechanism: string; buffer: string };
  /** Failed SASL attempts so far (the service's `login.maxFailuresPerConnection` closes the link). */
  saslFailures?: number;
}

/** The registration state of every registered connection: frozen, so a stray write throws instead of leaking. */
export const REGISTERED: Readonly<RegistrationState> = Object.freeze({ capNegotiating: false, loggingIn: false });

/** One client of the IRC server. */
export class IRCServerProtocol extends IRCLineReceiver<IRCServerTransport> implements IChatClient {
  declare factory: IRCServerFactory;
  /** A client's tag section, its `@` and space included: IRCv3 leaves the rest of the 8,191 bytes to the server. */
  override MAX_TAG_BYTES = IRC_MAX_CLIENT_TAG_BYTES + 2;
  /** The logged-in user, once registered. */
  user: ChatUser | undefined;
  #caps: Set<string> | undefined;
  /** The CAP version the client announced (302 gives capability values). */
  capVersion = 0;
  /** Registration progress; once registered, the shared frozen {@link REGISTERED} (nothing reads it then). */
  reg: RegistrationState = { capNegotiating: false, loggingIn: false };
  /** The peer's host, as shown in prefixes (set by the factory from the accepted address, else read in `connectionMade`). */
  host = UNKNOWN_HOST;
  /** Which tags relayed messages carry for this client (see `relay.ts`). */
  tagVariant = 0;
  #throttle: InputThrottle<IRCMessage> | undefined;
  /** When this client's registration deadline or idle check comes (filed in the factory's timeout wheel). */
  #deadline: number | undefined;
  #lastInput = 0;
  #pingSentAt: number | undefined;
  #closing = false;
  /** Commands that arrived while the login was in flight: run, in order, once it has finished. */
  #held: IRCMessage[] | undefined;
  /**
   * What the input batch in progress has for this client (see `dataReceived`): a run of the batch's shared
   * log (`#runStart` to `#runEnd`), or a list of its own once its output left the log's order.
   */
  #out: OutputLog | Uint8Array[] | undefined;
  #runStart = 0;
  #runEnd = 0;
  #history: RequestQueue<HistoryRequest> | undefined;
  /** Echoes (echo-message) waiting for their line to be stored, oldest first; see {@link echo}. */
  #echoes: PendingEcho[] | undefined;
  /**
   * While a command with a label runs (labeled-response): the lines it makes the server send this client, and
   * the echoes it left waiting for the store. One field, set only then, so other clients pay one slot.
   */
  #labeled: { out: Uint8Array[]; echoes?: PendingEcho[] } | undefined;

  /** This client's CHATHISTORY requests, served in turn (made on first use). */
  get historyRequests(): RequestQueue<HistoryRequest> {
    if (!this.#history) {
      const { burst, rate, maxQueued } = this.factory.options.historyThrottle;
      this.#history = new RequestQueue(this.factory.options.clock, burst, rate, maxQueued, (r) => runHistoryRequest(this, r));
      if (this.#closing) this.#history.stop();
    }
    return this.#history;
  }

  /** Capabilities this client enabled (most clients enable none, so the set is made on first use). */
  get caps(): ReadonlySet<string> {
    return this.#caps ?? NO_CAPS;
  }

  /** Enables capabilities (`name`) and disables them (`-name`), then recomputes the relayed tags. */
  changeCaps(changes: readonly string[]): void {
    const caps = (this.#caps ??= new Set());
    for (const c of changes) {
      if (c.startsWith('-')) caps.delete(c.slice(1));
      else caps.add(c);
    }
    this.capsChanged();
  }

  /** The nick to address this client by in numerics (`*` before one is chosen). */
  get nick(): string {
    return this.user?.nick ?? this.reg.nick ?? '*';
  }

  /** True once logged in to the service. */
  get registered(): boolean {
    return this.user !== undefined;
  }

  /** `nick!user@host` of this client. */
  get prefix(): string {
    return this.user ? userPrefix(this.user) : `${this.nick}!${this.reg.username ?? '*'}@${this.host}`;
  }

  override connectionMade(): void {
    const f = this.factory;
    if (this.host === UNKNOWN_HOST) {
      const peer = this.transport.getPeer() as { host?: string };
      if (typeof peer.host === 'string' && peer.host !== '') this.host = f.intern(peer.host);
    }
    const clock = f.options.clock;
    this.#lastInput = clock.seconds();
    const flood = f.options.flood;
    if (flood !== false) {
      this.#throttle = new InputThrottle(clock, flood.burst, flood.rate, flood.maxQueued, (m) => this.#handle(m), () => this.close('Excess Flood'));
    }
    this.#setDeadline(this.#lastInput + f.options.registrationTimeout);
    f.connectionOpened(this);
  }

  /** Drops the connection: gracefully (what is buffered is sent first) or at once. */
  #drop(abort: boolean): void {
    const t = this.transport;
    if (abort && t.abortConnection) t.abortConnection();
    else t.loseConnection();
  }

  /** After each write: a client that leaves more than `sendQ` bytes unread past the transport's high mark is dropped. */
  #written(): void {
    const t = this.transport;
    const sendQ = this.factory.options.sendQ;
    const buffered = t.getWriteBufferSize();
    // The marks are read only past the cheap test: most writes leave far less than sendQ behind.
    if (buffered > sendQ && buffered - t.getWriteBufferLimits().high > sendQ) {
      // No ERROR line: the client reads nothing, and aborting discards what is buffered anyway.
      this.#closing = true;
      this.#stopWork();
      this.user?.quit('SendQ exceeded');
      this.#drop(true);
    }
  }

  /**
   * Everything this chunk of input makes the server write, to any client, is gathered and written once per
   * client when the chunk is done: a burst of lines fanned out to a channel costs each member one write
   * (one system call) instead of one per line.
   */
  override dataReceived(data: Uint8Array): void {
    const f = this.factory;
    f.beginBatch();
    try {
      super.dataReceived(data);
    } finally {
      f.endBatch();
    }
  }

  override messageReceived(msg: IRCMessage): void {
    if (this.#closing) return;
    this.#lastInput = this.factory.options.clock.seconds();
    if (this.#throttle) this.#throttle.push(msg);
    else this.#handle(msg);
  }

  #handle(msg: IRCMessage): void {
    if (this.#closing) return;
    if (this.reg.loggingIn) {
      // Clients may pipeline JOIN and more behind NICK/USER; the login (a password hash, a store lookup)
      // can finish later, so those commands wait for it instead of drawing 451.
      const held = (this.#held ??= []);
      held.push(msg);
      if (held.length > MAX_HELD_COMMANDS) this.close('Too many commands before registration finished');
      return;
    }
    const label = this.#caps?.has('labeled-response') ? labelOf(msg.tags) : undefined;
    if (label !== undefined) this.#labeled = { out: [] };
    try {
      dispatch(this, msg);
    } catch (e) {
      log.failure('IRC command {command} failed', new Failure(e), { command: msg.command });
    } finally {
      if (label !== undefined) this.#sendLabeled(label);
    }
  }

  /** Sends what the labeled command that just ran gathered, labeled (see `labeled.ts`). */
  #sendLabeled(label: string): void {
    const out = this.#labeled?.out ?? [];
    const echoes = this.#labeled?.echoes;
    this.#labeled = undefined;
    if (out.length === 0 && echoes?.length === 1 && echoes[0].stored === undefined) {
      // The reply is the echo still waiting for the store: it carries the label when it goes.
      echoes[0].label = label;
      return;
    }
    for (const line of labeledResponse(label, out, this.factory.options.serverName, this.caps.has('batch'))) this.writeBytes(line);
  }

  /** Runs the commands held while the login was in flight (called when it has finished, either way). */
  releaseHeld(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held) for (const msg of held) this.#handle(msg);
  }

  override messageTooLong(_line: Uint8Array, _limit: IRCLimit): void {
    this.numeric(ERR_INPUTTOOLONG, 'Input line was too long');
  }

  /** Called once registered: starts the idle ping cycle. */
  startIdleTimer(): void {
    this.#lastInput = this.factory.options.clock.seconds();
    this.#setDeadline(this.#lastInput + this.factory.options.pingInterval);
  }

  /**
   * Files this client's one deadline in the factory's shared timeout wheel (a map entry, where a delayed call
   * each would cost an object, its arguments and a heap slot per client), replacing the one it had.
   */
  #setDeadline(at: number | undefined): void {
    const wheel = this.factory.timeouts;
    if (this.#deadline !== undefined) wheel.remove(this, this.#deadline);
    this.#deadline = at;
    if (at !== undefined) wheel.add(this, at);
  }

  /** @internal The factory's timeout wheel reached this client's deadline (it is no longer filed). */
  timedOut(): void {
    this.#deadline = undefined;
    if (this.#closing) return;
    if (!this.registered) this.close('Registration timed out');
    else this.#checkIdle();
  }

  /** Pings a client silent for `pingInterval`; drops one that stays silent `pingTimeout` after the PING. */
  #checkIdle(): void {
    const { clock, pingInterval, pingTimeout } = this.factory.options;
    const now = clock.seconds();
    if (this.#pingSentAt !== undefined) {
      if (this.#lastInput < this.#pingSentAt) {
        this.close(`Ping timeout: ${Math.round(now - this.#lastInput)} seconds`);
        return;
      }
      this.#pingSentAt = undefined;
    }
    if (now - this.#lastInput < pingInterval) {
      this.#setDeadline(this.#lastInput + pingInterval);
      return;
    }
    this.#pingSentAt = now;
    this.serverMessage('PING', this.factory.options.serverName);
    this.#setDeadline(now + pingTimeout);
  }

  // ------------------------------------------------------------------ output

  /** Sends a numeric reply: `:server <code> <nick> ...params`. */
  numeric(code: string, ...params: string[]): void {
    this.send({ tags: {}, prefix: this.factory.options.serverName, command: code, params: [this.nick, ...params] });
  }

  /** Sends a message from the server. */
  serverMessage(command: string, ...params: string[]): void {
    this.send({ tags: {}, prefix: this.factory.options.serverName, command, params });
  }

  /** Sends `command` from `prefix` (a user's `nick!user@host`), with a `time` tag if the client wants it. */
  sendFrom(prefix: string, command: string, ...params: string[]): void {
    if (this.tagVariant & WANT_TIME) {
      this.send({ tags: { time: new Date(this.factory.service.now() * 1000).toISOString() }, prefix, command, params });
      return;
    }
    if (this.#closing || !this.connected) return;
    try {
      this.writeBytes(this.factory.untaggedLine(prefix, command, params));
    } catch (e) {
      log.warn('could not send IRC {command}: {error}', { command, error: String(e) });
    }
  }

  /** Writes wire bytes now, or at the end of the input batch in progress (see `dataReceived`). */
  writeBytes(bytes: Uint8Array): void {
    if (this.#closing || !this.connected) return;
    if (this.#labeled !== undefined) {
      this.#labeled.out.push(bytes);
      return;
    }
    if (this.factory.batching) {
      const out = this.#out;
      if (out === undefined) {
        const log = (this.#out = this.factory.outputLog);
        this.#runStart = log.start(bytes);
        this.#runEnd = this.#runStart + 1;
        this.factory.markDirty(this);
      } else if (out instanceof OutputLog) {
        if (out.extend(this.#runEnd, bytes)) this.#runEnd++;
        else this.#out = [...out.slice(this.#runStart, this.#runEnd), bytes];
      } else out.push(bytes);
    } else {
      this.transport.write(bytes);
      this.#written();
    }
  }

  /** @internal Writes what the input batch gathered. */
  flushOutput(): void {
    const out = this.#out;
    if (out === undefined) return;
    this.#out = undefined;
    if (!this.connected) return;
    // One buffer rather than writeSequence: copying a few kilobytes is cheaper than a socket write per line.
    const bytes = out instanceof OutputLog ? out.bytes(this.#runStart, this.#runEnd) : this.factory.joinOutput(out);
    this.transport.write(bytes);
    this.#written();
  }

  /** Sends one message; a message that cannot be formatted is logged, never sent in part. */
  send(msg: IRCMessage): void {
    if (this.#closing || !this.connected) return;
    try {
      this.writeBytes(encoder.encode(`${formatServerLine(msg)}\r\n`));
    } catch (e) {
      log.warn('could not send IRC {command}: {error}', { command: msg.command, error: String(e) });
    }
  }

  /** Sends `ERROR :Closing Link` and drops the connection. */
  close(reason: string): void {
    if (this.#closing) return;
    // A labeled command that closes the link (QUIT) gets its replies unlabeled, ahead of the ERROR.
    const held = this.#labeled?.out;
    this.#labeled = undefined;
    if (held) for (const line of held) this.writeBytes(line);
    this.serverMessage('ERROR', `Closing Link: ${this.host} (${reason})`);
    this.flushOutput();
    this.#closing = true;
    this.#stopWork();
    this.user?.quit(reason);
    this.#drop(false);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#closing = true;
    this.#stopWork();
    this.#setDeadline(undefined);
    this.user?.quit('Connection closed');
    this.factory.connectionClosed(this);
  }

  /** Stops what this client's input set going: queued lines, history reads (cancelled), pending echoes. */
  #stopWork(): void {
    this.#throttle?.stop();
    this.#history?.stop();
    this.#echoes = undefined;
  }

  /**
   * Echoes `message` to its sender (echo-message). A room line is echoed only once `stored` says the store
   * holds it, so a line the client saw acknowledged survives a crash of the server; echoes keep their order.
   * A line the store failed to keep is echoed all the same (the room got it), followed by a `WARN`.
   */
  echo(message: ChatMessage, stored: Deferred<boolean> | undefined): void {
    if (this.#closing) return;
    const bytes = relayLine(message, () => this.prefix, this.tagVariant);
    if (stored === undefined && this.#echoes === undefined) {
      this.writeBytes(bytes);
      return;
    }
    const entry: PendingEcho = { bytes, message, stored: stored === undefined ? true : undefined };
    (this.#echoes ??= []).push(entry);
    stored?.addCallback((ok) => {
      entry.stored = ok;
      this.#sendEchoes();
      return ok;
    });
    this.#sendEchoes();
    if (this.#labeled !== undefined && entry.stored === undefined) (this.#labeled.echoes ??= []).push(entry);
  }

  #sendEchoes(): void {
    const echoes = this.#echoes;
    while (echoes !== undefined && echoes.length > 0 && echoes[0].stored !== undefined) {
      const { bytes, message, stored, label } = echoes.shift()!;
      this.writeBytes(label === undefined ? bytes : withLabel(bytes, label));
      const { command } = wireOf(message);
      if (!stored) this.serverMessage('WARN', command, 'NOT_STORED', message.to, 'Delivered, but it could not be saved in the history');
    }
    if (echoes !== undefined && echoes.length === 0 && this.#echoes === echoes) this.#echoes = undefined;
  }

  /** Recomputes which tags relayed lines carry, after CAP changes. */
  capsChanged(): void {
    this.tagVariant = (this.caps.has('server-time') ? WANT_TIME : 0) | (this.caps.has('message-tags') ? WANT_TAGS : 0);
  }

  // ------------------------------------------------------------------ IChatClient

  receive(message: ChatMessage): void {
    if (this.#closing || !this.connected) return;
    let bytes: Uint8Array;
    try {
      bytes = relayLine(message, this.factory.prefixOf, this.tagVariant);
    } catch (e) {
      // Another front door let through something IRC cannot carry (a malformed tag): drop it for IRC only.
      log.warn('could not relay message {id}: {error}', { id: message.id, error: String(e) });
      return;
    }
    this.writeBytes(bytes);
  }

  userJoined(room: string, nick: string): void {
    const self = this.user !== undefined && nick === this.user.nick;
    const joiner = this.#caps !== undefined ? this.factory.service.findUser(nick) : undefined;
    if (joiner && this.#caps!.has('extended-join')) this.sendFrom(userPrefix(joiner), 'JOIN', room, joiner.account ?? '*', joiner.realname);
    else this.sendFrom(this.#prefixOf(nick), 'JOIN', room);
    if (self) sendJoinState(this, room);
    else if (joiner?.away !== undefined && this.#caps!.has('away-notify')) this.sendFrom(userPrefix(joiner), 'AWAY', joiner.away);
  }

  userLeft(room: string, nick: string, reason: string, kind: LeaveKind, by?: string): void {
    if (kind === 'kick') this.sendFrom(this.#prefixOf(by ?? this.factory.options.serverName), 'KICK', room, nick, reason || nick);
    else if (reason) this.sendFrom(this.#prefixOf(nick), 'PART', room, reason);
    else this.sendFrom(this.#prefixOf(nick), 'PART', room);
  }

  userQuit(nick: string, reason: string): void {
    this.sendFrom(this.#prefixOf(nick), 'QUIT', reason || 'Quit');
  }

  nickChanged(oldNick: string, newNick: string): void {
    const u = this.factory.service.findUser(newNick);
    this.sendFrom(u ? `${oldNick}!${u.username}@${u.host}` : oldNick, 'NICK', newNick);
  }

  topicChanged(room: string, topic: string, by: string): void {
    this.sendFrom(this.#prefixOf(by), 'TOPIC', room, topic);
  }

  roomChanged(room: string, by: string, changes: readonly RoomChange[]): void {
    this.sendFrom(this.#prefixOf(by), 'MODE', room, ...formatRoomChanges(changes));
  }

  invited(room: string, by: string): void {
    this.sendFrom(this.#prefixOf(by), 'INVITE', this.nick, room);
  }

  disconnect(reason: string): void {
    this.close(reason);
  }

  awayChanged(nick: string, away: string | undefined): void {
    if (!this.caps.has('away-notify')) return;
    if (away === undefined) this.sendFrom(this.#prefixOf(nick), 'AWAY');
    else this.sendFrom(this.#prefixOf(nick), 'AWAY', away);
  }

  realnameChanged(nick: string, realname: string): void {
    if (this.caps.has('setname')) this.sendFrom(this.#prefixOf(nick), 'SETNAME', realname);
  }

  userInvited(room: string, nick: string, by: string): void {
    if (this.caps.has('invite-notify') && nick !== this.user?.nick) this.sendFrom(this.#prefixOf(by), 'INVITE', nick, room);
  }

  signal(signal: ChatSignal): void {
    if (this.caps.has('message-tags')) this.writeSignal(signal);
  }

  announcement(by: string, text: string): void {
    this.sendFrom(this.#prefixOf(by), 'WALLOPS', text);
  }

  /** Sends a TAGMSG (a client that enabled message-tags: the sender's echo, or a recipient). */
  writeSignal(signal: ChatSignal): void {
    const tags = messageTags({ ...signal, text: '', kind: 'message' }, this.tagVariant | WANT_TAGS);
    this.send({ tags, prefix: this.#prefixOf(signal.from), command: 'TAGMSG', params: [signal.to] });
  }

  #prefixOf(nick: string): string {
    return this.factory.prefixOf(nick);
  }
}

/** An echo waiting for the store: `stored` is unset until the store answers. */
interface PendingEcho {
  bytes: Uint8Array;
  message: ChatMessage;
  stored: boolean | undefined;
  /** The label of the command whose one reply this echo is (labeled-response). */
  label?: string;
}

/** `nick!user@host` of a user. */
export function userPrefix(user: ChatUser): string {
  return `${user.nick}!${user.username}@${user.host}`;
}
