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
import type { ChatMessage, HistoryQuery, IChatClient, MessageKind, ModeChange } from './interfaces.js';
import { AWAY_MAX_LENGTH, REALNAME_MAX_LENGTH, REASON_MAX_LENGTH, TOPIC_MAX_LENGTH, foldName, isRoomName, isValidRoomName } from './names.js';
import { scrubTags, scrubText } from './text.js';
import type { ChatRoom, Membership } from './room.js';

/** What a user needs from the service that owns it. @internal */
export interface ServiceCore {
  now(): number;
  nextMessageId(now: number): string;
  readonly maxRoomsPerUser: number;
  findUser(nick: string): ChatUser | undefined;
  findRoom(name: string): ChatRoom | undefined;
  createRoom(name: string): ChatRoom;
  dropRoomIfEmpty(room: ChatRoom): void;
  record(room: ChatRoom, message: ChatMessage): Deferred<boolean>;
  history(room: ChatRoom, query: HistoryQuery): Deferred<ChatMessage[]>;
  changeNick(user: ChatUser, nick: string): Deferred<void>;
  logout(user: ChatUser): void;
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
  readonly username: string;
  readonly realname: string;
  readonly host: string;
  /** Milliseconds since the epoch. */
  readonly signedOn: number;
  /** When this user last sent a message (ms), for WHOIS idle time. */
  lastActive: number;
  #online = true;

  constructor(
    readonly service: ServiceCore,
    nick: string,
    /** The account this session is logged in to, if any. */
    readonly account: string | undefined,
    /** Where this user's events go. */
    readonly client: IChatClient,
    details: UserDetails = {},
  ) {
    this.#nick = nick;
    this.#key = foldName(nick);
    this.username = details.username ?? nick;
    this.realname = scrubText(details.realname ?? nick, REALNAME_MAX_LENGTH);
    this.host = details.host ?? 'localhost';
    this.signedOn = this.lastActive = service.now();
  }

  get nick(): string {
    return this.#nick;
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
    if (!r.me.op) throw new NotOperatorError(r.room.name);
    return r;
  }

  /**
   * Joins `name`, making the room (with this user as operator) if nobody is in it. Members, this user
   * included, are told `userJoined`. Joining a room one is in does nothing.
   */
  join(name: string, key?: string): ChatRoom {
    this.#check();
    if (!isValidRoomName(name)) throw new InvalidRoomError(name);
    let room = this.service.findRoom(name);
    if (room?.membership(this)) return room;
    if (this.rooms.size >= this.service.maxRoomsPerUser) throw new TooManyRoomsError(name);
    let op = false;
    if (!room) {
      room = this.service.createRoom(name);
      op = true;
    } else {
      const invited = room.invites.has(this.#key);
      if (room.modes.inviteOnly && !invited) throw new InviteOnlyError(room.name);
      if (room.modes.key !== undefined && room.modes.key !== key) throw new BadKeyError(room.name);
      if (room.modes.limit !== undefined && room.size >= room.modes.limit) throw new RoomFullError(room.name);
    }
    room.invites.delete(this.#key);
    room.addMember({ user: this, op, voice: false, joined: this.service.now() });
    this.rooms.set(room.key, room);
    const joined = room;
    room.broadcast((c) => c.userJoined(joined.name, this.#nick));
    return room;
  }

  /** Leaves `name`; members, this user included, are told `userLeft`. */
  part(name: string, reason = ''): void {
    this.#check();
    const { room } = this.#memberOf(name);
    reason = scrubText(reason, REASON_MAX_LENGTH);
    room.broadcast((c) => c.userLeft(room.name, this.#nick, reason, 'part'));
    this.#leave(room);
  }

  #leave(room: ChatRoom): void {
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
      const room = this.service.findRoom(target);
      if (!room) throw new NoSuchUserError(target);
      const me = room.membership(this);
      if ((!me && room.modes.noExternal) || (room.modes.moderated && !me?.op && !me?.voice)) throw new CannotSendError(room.name);
      const message: ChatMessage = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: room.name, text, kind };
      if (options.tags) message.tags = scrubTags(options.tags);
      this.lastActive = now;
      room.broadcast((c) => c.receive(message), this);
      return { message, stored: this.service.record(room, message) };
    }
    const to = this.service.findUser(target);
    if (!to) throw new NoSuchUserError(target);
    const message: ChatMessage = { id: this.service.nextMessageId(now), time: now, from: this.#nick, to: to.nick, text, kind };
    if (options.tags) message.tags = scrubTags(options.tags);
    this.lastActive = now;
    to.client.receive(message);
    return to.away !== undefined && kind !== 'notice' ? { message, away: to.away } : { message };
  }

  /** Sets the topic of a room this user is in (under `+t`, operators only). */
  setTopic(name: string, topic: string): void {
    this.#check();
    const { room, me } = this.#memberOf(name);
    if (room.modes.topicLocked && !me.op) throw new NotOperatorError(room.name);
    room.topic = scrubText(topic, TOPIC_MAX_LENGTH);
    room.topicSetBy = this.#nick;
    room.topicSetAt = this.service.now();
    room.broadcast((c) => c.topicChanged(room.name, room.topic, this.#nick));
  }

  /** Removes `nick` from a room (operators only); members, the kicked one included, are told. */
  kick(name: string, nick: string, reason = ''): void {
    this.#check();
    const { room } = this.#operatorOf(name);
    const target = room.memberByKey(foldName(nick));
    if (!target) throw new UserNotInRoomError(nick);
    reason = scrubText(reason, REASON_MAX_LENGTH);
    room.broadcast((c) => c.userLeft(room.name, target.user.nick, reason, 'kick', this.#nick));
    target.user.#leave(room);
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
      if (room.modes.inviteOnly && !me.op) throw new NotOperatorError(room.name);
      if (room.membership(target)) throw new AlreadyInRoomError(target.nick);
      room.invites.add(target.key);
    }
    target.client.invited(room?.name ?? name, this.#nick);
    return target.away !== undefined ? { away: target.away } : {};
  }

  /**
   * Changes room modes (operators only). Changes that would do nothing are dropped; the rest are applied
   * in order and members are told once. Returns what was applied.
   */
  setModes(name: string, changes: readonly ModeChange[]): ModeChange[] {
    this.#check();
    const { room } = this.#operatorOf(name);
    const applied: ModeChange[] = [];
    for (const change of changes) {
      const c = { ...change };
      let target: Membership | undefined;
      if (c.mode === 'o' || c.mode === 'v') {
        if (c.arg === undefined) continue;
        target = room.memberByKey(foldName(c.arg));
        if (!target) throw new UserNotInRoomError(c.arg);
        c.arg = target.user.nick;
        if ((c.mode === 'o' ? target.op : target.voice) === c.adding) continue;
      } else if (c.mode === 'k') {
        if (c.adding && (c.arg === undefined || c.arg === '' || /[\s,\0]/.test(c.arg))) continue;
        if (!c.adding && room.modes.key === undefined) continue;
        if (!c.adding) c.arg = '*';
      } else if (c.mode === 'l') {
        if (c.adding) {
          const n = Number(c.arg);
          if (!Number.isInteger(n) || n <= 0) continue;
          c.arg = String(n);
        } else {
          if (room.modes.limit === undefined) continue;
          delete c.arg;
        }
      } else {
        const flag = { t: 'topicLocked', n: 'noExternal', i: 'inviteOnly', m: 'moderated' } as const;
        if (room.modes[flag[c.mode]] === c.adding) continue;
        delete c.arg;
      }
      room.applyMode(c, target);
      applied.push(c);
    }
    if (applied.length > 0) room.broadcast((cl) => cl.modeChanged(room.name, this.#nick, applied));
    return applied;
  }

  /** Sets (or, with `undefined` or '', clears) the away message. */
  setAway(message: string | undefined): void {
    this.#check();
    this.away = message === '' || message === undefined ? undefined : scrubText(message, AWAY_MAX_LENGTH);
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
    for (const room of [...this.rooms.values()]) this.#leave(room);
    for (const p of peers) p.client.userQuit(this.#nick, reason);
    this.service.logout(this);
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
