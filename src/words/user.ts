/**
 * `ChatUser`: one logged-in session and everything it can do. Each method checks the room rules (RFC 2811
 * semantics) and throws a {@link WordsError} subclass when refused, so every front door enforces the same
 * rules and only translates the refusal.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import {
  AlreadyInRoomError,
  BadKeyError,
  BannedError,
  ListFullError,
  NoPrivilegesError,
  WordsError,
  CannotSendError,
  InvalidRoomError,
  InviteOnlyError,
  LoggedOutError,
  NoSuchRoomError,
  NoSuchUserError,
  NoTextError,
  NotInRoomError,
  NotOperatorError,
  RoomFullError,
  TooManyRoomsError,
  UserNotInRoomError,
} from './errors.js';
import type { ChatMessage, ChatSignal, HistoryQuery, IChatClient, MessageKind, RoomChange } from './interfaces.js';
import { ANNOUNCEMENT_MAX_LENGTH, AWAY_MAX_LENGTH, REALNAME_MAX_LENGTH, REASON_MAX_LENGTH, TOPIC_MAX_LENGTH } from './limits.js';
import { normalizeMask } from './masks.js';
import { foldName, isRoomName, isValidRoomName } from './names.js';
import { scrubTags, scrubText } from './text.js';
import type { ChatRoom, Membership } from './room.js';
import type { RoomOp } from './room-ops.js';

/** What a user needs from the service that owns it. @internal */
export interface ServiceCore {
  /** The service's time, in seconds. */
  now(): number;
  nextMessageId(now: number): string;
  readonly maxRoomsPerUser: number;
  readonly maxRoomListEntries: number;
  findUser(nick: string): ChatUser | undefined;
  users(): IterableIterator<ChatUser>;
  endSession(user: ChatUser, reason: string): void;
  findRoom(name: string): ChatRoom | undefined;
  createRoom(name: string): ChatRoom;
  dropRoomIfEmpty(room: ChatRoom): void;
  record(room: ChatRoom, message: ChatMessage): Deferred<boolean>;
  history(room: ChatRoom, query: HistoryQuery): Deferred<ChatMessage[]>;
  changeNick(user: ChatUser, nick: string): Deferred<void>;
  logout(user: ChatUser, reason: string): void;
  /** A new user id, unique among every node's. */
  newUid(): string;
  /** True when the service is one node of several: room events are then applied once ordered, not at once. */
  readonly clustered: boolean;
  /**
   * Applies a checked room event, at once when the service stands alone (returning what
   * {@link applyRoomOp} returns), or once ordered among every node's (returning, for a message, whether it
   * was stored; otherwise undefined).
   */
  commit(op: RoomOp): ChatRoom | Deferred<boolean> | undefined;
  /** Tells the other nodes, if any, that a user of this node changed (the change is already applied here). */
  userChanged(user: ChatUser, change: UserChange): void;
}

/** A change to a user that other nodes mirror. */
export type UserChange =
  | { readonly t: 'away'; readonly away: string | undefined }
  | { readonly t: 'realname'; readonly realname: string };

/** Who a user of another node is (made by the node mirroring it). */
export interface RemoteIdentity {
  readonly uid: string;
  /** The node's id. */
  readonly node: string;
  readonly signedOn: number;
}

/** Descriptive details a front door gives at login (IRC's USER line and peer address). */
export interface UserDetails {
  /** IRC's user name (`~ident`); the nick by default. */
  username?: string;
  /** IRC's real name; the nick by default. */
  realname?: string;
  /** The peer's host (an address); `localhost` by default. */
  host?: string;
}

/** Options of {@link ChatUser.send}. */
export interface SendOptions {
  /** `message` by default. */
  kind?: MessageKind;
  tags?: Record<string, string>;
}

/** What {@link ChatUser.send} reports. */
export interface SendResult {
  message: ChatMessage;
  /**
   * For a room line: fires true once the room's store holds it (committed, for a database), false if it
   * could not be stored. A front door that acknowledges lines (IRC's echo-message) waits for it, so what a
   * sender saw acknowledged survives a crash. Lines to one user are not stored and have none.
   */
  stored?: Deferred<boolean>;
  /** The recipient's away message, for a message to an away user. */
  away?: string;
}

/** A logged-in user. Made by `WordsService.login`. */
export class ChatUser {
  #nick: string;
  #key: string;
  /** Rooms this user is in, by folded name. */
  readonly rooms = new Map<string, ChatRoom>();
  /** The away message, if away. */
  away: string | undefined;
  /** User mode `+i`: hidden from WHO/NAMES of rooms one does not share. */
  invisible = false;
  /** The server operator account this user logged in to (IRC's OPER), if any: it may kill sessions and announce. */
  serverOperator: string | undefined;
  /** Whether this user hears server operators' announcements (IRC's user mode `+w`). */
  hearsAnnouncements = false;
  readonly username: string;
  #realname: string;
  readonly host: string;
  /** When this session began, in the service's seconds. */
  readonly signedOn: number;
  /** When this user last sent a message (the service's seconds), for WHOIS idle time. */
  lastActive: number;
  /** The id room events name this user by: unique among every node's users, kept across nick changes. */
  readonly uid: string;
  /** For a user of another node (a mirror of it), that node's id; undefined for this node's users. */
  readonly node: string | undefined;
  #online = true;

  constructor(
    readonly service: ServiceCore,
    nick: string,
    /** The account this session is logged in to, if any. */
    readonly account: string | undefined,
    /** Where this user's events go. */
    readonly client: IChatClient,
    details: UserDetails = {},
    remote?: RemoteIdentity,
  ) {
    this.#nick = nick;
    this.#key = foldName(nick);
    this.username = details.username ?? nick;
    this.#realname = scrubText(details.realname ?? nick, REALNAME_MAX_LENGTH);
    this.host = details.host ?? 'localhost';
    this.signedOn = this.lastActive = remote?.signedOn ?? service.now();
    this.uid = remote?.uid ?? service.newUid();
    this.node = remote?.node;
  }

  get nick(): string {
    return this.#nick;
  }

  /** The real name (IRC's USER and SETNAME). */
  get realname(): string {
    return this.#realname;
  }

  /** The folded nick. */
  get key(): string {
    return this.#key;
  }

  /** False once logged out. */
  get online(): boolean {
    return this.#online;
  }

  #check(): void {
    if (!this.#online) throw new LoggedOutError(this.#nick);
  }

  #memberOf(name: string): { room: ChatRoom; me: Membership } {
    const room = this.service.findRoom(name);
    if (!room) throw new NoSuchRoomError(name);
    const me = room.membership(this);
    if (!me) throw new NotInRoomError(room.name);
    return { room, me };
  }

  #operatorOf(name: string): { room: ChatRoom; me: Membership } {
    const r = this.#memberOf(name);
    if (!r.me.operator) throw new NotOperatorError(r.room.name);
    return r;
  }

  /**
   * Joins `name`, making the room (with this user as operator) if nobody is in it. Members, this user
   * included, are told `userJoined`. Joining a room one is in does nothing.
   */
  join(name: string, key?: string): ChatRoom | undefined {
    this.#check();
    if (!isValidRoomName(name)) throw new InvalidRoomError(name);
    const room = this.service.findRoom(name);
    if (room?.membership(this)) return room;
    if (this.rooms.size >= this.service.maxRoomsPerUser) throw new TooManyRoomsError(name);
    if (room) {
      // An invitation lets one past +i and the bans (RFC 2812 semantics as ircds apply them); an invite
      // exception only past +i.
      const invited = room.invites.has(this.#key);
      if (room.settings.inviteOnly && !invited && !room.listMatches('inviteExceptions', this)) throw new InviteOnlyError(room.name);
      if (!invited && room.isBanned(this)) throw new BannedError(room.name);
      if (room.settings.key !== undefined && room.settings.key !== key) throw new BadKeyError(room.name);
      if (room.settings.limit !== undefined && room.size >= room.settings.limit) throw new RoomFullError(room.name);
    }
    return this.service.commit({ t: 'join', uid: this.uid, room: room?.name ?? name }) as ChatRoom | undefined;
  }

  /** Leaves `name`; members, this user included, are told `userLeft`. */
  part(name: string, reason = ''): void {
    this.#check();
    const { room } = this.#memberOf(name);
    this.service.commit({ t: 'part', uid: this.uid, room: room.name, reason: scrubText(reason, REASON_MAX_LENGTH) });
  }

  /** @internal Drops `room` from this user's and the user from the room's, the room too once empty. */
  leaveRoom(room: ChatRoom): void {
    room.removeMember(this);
    this.rooms.delete(room.key);
    this.service.dropRoomIfEmpty(room);
  }

  /**
   * Sends `text` to a room (every member but this user gets it, and it goes into the room's history) or
   * to one user.
   */
  send(target: string, text: string, options: SendOptions = {}): SendResult {
    this.#check();
    if (text === '') throw new NoTextError(target);
    text = scrubText(text);
    const now = this.service.now();
    const kind = options.kind ?? 'message';
    if (isRoomName(target)) {
      const room = this.#roomToSpeakIn(target);
      const message: ChatMessage = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: room.name, text, kind };
      if (options.tags) message.tags = scrubTags(options.tags);
      this.lastActive = now;
      return { message, stored: this.service.commit({ t: 'msg', uid: this.uid, room: room.name, message }) as Deferred<boolean> };
    }
    const to = this.service.findUser(target);
    if (!to) throw new NoSuchUserError(target);
    const message: ChatMessage = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: to.nick, text, kind };
    if (options.tags) message.tags = scrubTags(options.tags);
    this.lastActive = now;
    to.client.receive(message);
    return to.away !== undefined && kind !== 'notice' ? { message, away: to.away } : { message };
  }

  /**
   * The room `name` if this user may speak there: not from outside under `noOutsideMessages`, not unvoiced
   * under `moderated`, and not while banned (operators and voiced members aside).
   */
  #roomToSpeakIn(name: string): ChatRoom {
    const room = this.service.findRoom(name);
    if (!room) throw new NoSuchUserError(name);
    const me = room.membership(this);
    const privileged = me !== undefined && (me.operator || me.voice);
    if ((!me && room.settings.noOutsideMessages) || (room.settings.moderated && !privileged) || (!privileged && room.isBanned(this))) {
      throw new CannotSendError(room.name);
    }
    return room;
  }

  /**
   * Sends tags on their own (IRC's TAGMSG) to a room or a user, under the rules of {@link send}; they are
   * not stored, and reach only front doors that implement `signal`.
   */
  sendSignal(target: string, tags: Record<string, string>): ChatSignal {
    this.#check();
    const now = this.service.now();
    if (isRoomName(target)) {
      const room = this.#roomToSpeakIn(target);
      const signal: ChatSignal = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: room.name, tags: scrubTags(tags) };
      this.service.commit({ t: 'signal', uid: this.uid, room: room.name, signal });
      return signal;
    }
    const to = this.service.findUser(target);
    if (!to) throw new NoSuchUserError(target);
    const signal: ChatSignal = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: to.nick, tags: scrubTags(tags) };
    to.client.signal?.(signal);
    return signal;
  }

  /** Sets the topic of a room this user is in (under `+t`, operators only). */
  setTopic(name: string, topic: string): void {
    this.#check();
    const { room, me } = this.#memberOf(name);
    if (room.settings.topicLocked && !me.operator) throw new NotOperatorError(room.name);
    this.service.commit({ t: 'topic', uid: this.uid, room: room.name, topic: scrubText(topic, TOPIC_MAX_LENGTH), by: this.#nick, at: this.service.now() });
  }

  /** Removes `nick` from a room (operators only); members, the kicked one included, are told. */
  kick(name: string, nick: string, reason = ''): void {
    this.#check();
    const { room } = this.#operatorOf(name);
    const target = room.memberByKey(foldName(nick));
    if (!target) throw new UserNotInRoomError(nick);
    this.service.commit({ t: 'kick', uid: this.uid, room: room.name, by: this.#nick, target: target.user.key, reason: scrubText(reason, REASON_MAX_LENGTH) });
  }

  /**
   * Invites `nick` to a room this user is in (operators only under `+i`); the invitation lets them past
   * `+i` once. Gives the invitee's away message, if away.
   */
  invite(nick: string, name: string): { away?: string } {
    this.#check();
    const target = this.service.findUser(nick);
    if (!target) throw new NoSuchUserError(nick);
    const room = this.service.findRoom(name);
    if (room) {
      const me = room.membership(this);
      if (!me) throw new NotInRoomError(room.name);
      if (room.settings.inviteOnly && !me.operator) throw new NotOperatorError(room.name);
      if (room.membership(target)) throw new AlreadyInRoomError(target.nick);
      this.service.commit({ t: 'invite', uid: this.uid, room: room.name, target: target.key, nick: target.nick, by: this.#nick });
    }
    target.client.invited(room?.name ?? name, this.#nick);
    return target.away !== undefined ? { away: target.away } : {};
  }

  /**
   * Changes roles, settings and lists of a room (operators only). Changes that would do nothing, and keys,
   * limits or masks that are not usable (a key with spaces, commas or NUL; a limit that is not a positive
   * integer; an empty or over-long mask), are dropped; the rest are applied in order and members are told
   * `roomChanged` once. A change that is refused (a role for someone not in the room, `UserNotInRoomError`,
   * or not online, `NoSuchUserError`; a mask for a full list, `ListFullError`) is given to `refused` and the
   * others still apply; without `refused`, the first refusal is thrown once the rest are applied. Returns
   * what was applied.
   */
  changeRoom(name: string, changes: readonly RoomChange[], refused?: (change: RoomChange, error: WordsError) => void): RoomChange[] {
    this.#check();
    const { room } = this.#operatorOf(name);
    const applied: RoomChange[] = [];
    let first: WordsError | undefined;
    for (const change of changes) {
      let checked: { change: RoomChange; target?: Membership } | undefined;
      try {
        checked = this.#checkChange(room, change);
      } catch (e) {
        if (!(e instanceof WordsError)) throw e;
        if (refused) refused(change, e);
        else first ??= e;
        continue;
      }
      if (checked === undefined) continue;
      // Standing alone, each change is checked against the room as the ones before it left it; across
      // nodes, all are checked against the room as it is and applied together once ordered.
      if (!this.service.clustered) room.apply(checked.change, checked.target, this.#nick, this.service.now());
      applied.push(checked.change);
    }
    if (applied.length > 0) {
      if (this.service.clustered) this.service.commit({ t: 'modes', uid: this.uid, room: room.name, by: this.#nick, at: this.service.now(), changes: applied });
      else room.broadcast((cl) => cl.roomChanged(room.name, this.#nick, applied));
    }
    if (first) throw first;
    return applied;
  }

  /** `change` as it will be applied (nicks spelled as their members'), or undefined when it does nothing. */
  #checkChange(room: ChatRoom, change: RoomChange): { change: RoomChange; target?: Membership } | undefined {
    if ('role' in change) {
      const target = room.memberByKey(foldName(change.nick));
      if (!target) {
        if (!this.service.findUser(change.nick)) throw new NoSuchUserError(change.nick);
        throw new UserNotInRoomError(change.nick);
      }
      if (target[change.role] === change.granted) return undefined;
      return { change: { role: change.role, nick: target.user.nick, granted: change.granted }, target };
    }
    if ('list' in change) {
      const mask = normalizeMask(change.mask);
      if (mask === undefined) return undefined;
      const present = room.listEntry(change.list, mask);
      if (!change.added) return present ? { change: { list: change.list, mask: present.mask, added: false } } : undefined;
      if (present) return undefined;
      if (room.lists[change.list].length >= this.service.maxRoomListEntries) throw new ListFullError(room.name, change.list);
      return { change: { list: change.list, mask, added: true } };
    }
    const settings = room.settings;
    switch (change.setting) {
      case 'key':
        if (change.value === undefined) return settings.key === undefined ? undefined : { change: { setting: 'key', value: undefined } };
        if (change.value === '' || /[\s,\0]/.test(change.value)) return undefined;
        return { change: { setting: 'key', value: change.value } };
      case 'limit':
        if (change.value === undefined) return settings.limit === undefined ? undefined : { change: { setting: 'limit', value: undefined } };
        if (!Number.isInteger(change.value) || change.value <= 0) return undefined;
        return { change: { setting: 'limit', value: change.value } };
      default:
        return settings[change.setting] === change.value ? undefined : { change: { setting: change.setting, value: change.value } };
    }
  }

  /** Sets (or, with `undefined` or '', clears) the away message. */
  setAway(message: string | undefined): void {
    this.#check();
    const before = this.away;
    this.away = message === '' || message === undefined ? undefined : scrubText(message, AWAY_MAX_LENGTH);
    if (this.away === before) return;
    this.showAway();
    this.service.userChanged(this, { t: 'away', away: this.away });
  }

  /** @internal Tells those sharing a room that this user's away message changed. */
  showAway(): void {
    for (const p of this.roomPeers()) p.client.awayChanged?.(this.#nick, this.away);
  }

  /** Changes the real name; this user and everyone sharing a room are told `realnameChanged`. */
  setRealname(realname: string): void {
    this.#check();
    this.#realname = scrubText(realname, REALNAME_MAX_LENGTH);
    this.client.realnameChanged?.(this.#nick, this.#realname);
    for (const p of this.roomPeers()) p.client.realnameChanged?.(this.#nick, this.#realname);
    this.service.userChanged(this, { t: 'realname', realname: this.#realname });
  }

  /**
   * Ends `nick`'s session (server operators only): its client is told `disconnect`, and those sharing a room
   * see it quit with `Killed (<this nick> (<reason>))`.
   */
  kill(nick: string, reason = ''): void {
    this.#check();
    if (this.serverOperator === undefined) throw new NoPrivilegesError(nick);
    const target = this.service.findUser(nick);
    if (!target) throw new NoSuchUserError(nick);
    reason = scrubText(reason, REASON_MAX_LENGTH) || this.#nick;
    this.service.endSession(target, `Killed (${this.#nick} (${reason}))`);
  }

  /** Sends `text` to every user who hears announcements, this one included when it does (server operators only). */
  announce(text: string): void {
    this.#check();
    if (this.serverOperator === undefined) throw new NoPrivilegesError();
    if (text === '') throw new NoTextError();
    text = scrubText(text, ANNOUNCEMENT_MAX_LENGTH);
    for (const u of this.service.users()) if (u.hearsAnnouncements) u.client.announcement?.(this.#nick, text);
  }

  /** Changes nick under the same rules as login; this user and everyone sharing a room are told. */
  setNick(nick: string): Deferred<void> {
    this.#check();
    return this.service.changeNick(this, nick);
  }

  /** A room's stored history, oldest first; this user must be in the room. */
  history(name: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    this.#check();
    const { room } = this.#memberOf(name);
    return this.service.history(room, query);
  }

  /** Users who share at least one room with this one (not this user). */
  roomPeers(): Set<ChatUser> {
    const peers = new Set<ChatUser>();
    for (const room of this.rooms.values()) for (const m of room.members()) if (m.user !== this) peers.add(m.user);
    return peers;
  }

  /** True if this user shares a room with `other`. */
  sharesRoomWith(other: ChatUser): boolean {
    for (const room of this.rooms.values()) if (room.membership(other)) return true;
    return false;
  }

  /** Logs out: leaves every room; everyone sharing one is told `userQuit` once. Safe to call twice. */
  quit(reason = ''): void {
    if (!this.#online) return;
    reason = scrubText(reason, REASON_MAX_LENGTH);
    const peers = this.roomPeers();
    this.#online = false;
    for (const room of [...this.rooms.values()]) this.leaveRoom(room);
    for (const p of peers) p.client.userQuit(this.#nick, reason);
    this.service.logout(this, reason);
  }

  /** @internal Renames this user in its rooms. */
  rename(nick: string): void {
    const oldKey = this.#key;
    this.#nick = nick;
    this.#key = foldName(nick);
    for (const room of this.rooms.values()) {
      room.rekeyMember(oldKey, this);
      if (room.invites.delete(oldKey)) room.invites.add(this.#key);
    }
  }
}
