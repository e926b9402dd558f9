/**
 * The roles of `torsion/words`: what a front door (IRC, a web chat, ...) implements to be told about the
 * chat, and what a storage backend implements to keep accounts and history. Type-only.
 * @module
 */
import type { ScramCredentials } from '../cred/scram.js';
import type { Deferred } from '../defer/index.js';

/**
 * What a chat line is: an ordinary `message`; a `notice`, which must never be answered automatically (so
 * two bots cannot loop; IRC's NOTICE, RFC 2812 §3.3.2); or an `action`, a line in the third person (`/me
 * waves`). Each front door maps its protocol's framing (IRC's CTCP ACTION) to and from these.
 */
export type MessageKind = 'message' | 'notice' | 'action';

/** A chat line as every front door sees it: sent to a room (`#name`) or to one user (a nick). */
export interface ChatMessage {
  /** Unique per service run and increasing with time (used as IRCv3 `msgid`). */
  id: string;
  /** When the service accepted it, in the service clock's seconds (to the millisecond; epoch seconds on the reactor). */
  time: number;
  /** The sender's nick. */
  from: string;
  /** The room name or the recipient's nick, as the sender spelled it canonically (the room's own spelling). */
  to: string;
  /** The line itself; for an `action`, what the sender does ("waves"), with no protocol framing. */
  text: string;
  kind: MessageKind;
  /** Front-door extras carried along (IRCv3 client tags such as `+draft/reply`); never interpreted here. */
  tags?: Record<string, string>;
  /**
   * A room line's place in its room among every node's events (the room's sequence number, shared by the
   * nodes of a cluster through the bus). Numbers grow in the order members see the lines; they are not
   * contiguous (joins, parts and other room events take numbers too). Absent on a service that is not a
   * cluster node, on private messages, and on lines stored before numbers existed.
   */
  seq?: number;
}

/** How a member left a room. */
export type LeaveKind = 'part' | 'kick';

/** A role a member holds in a room: an operator runs the room, a voiced member may speak when it is moderated. */
export type RoomRole = 'operator' | 'voice';

/**
 * A room setting that is on or off. A `secret` room is left out of room lists and its members of lookups
 * made by people outside it.
 */
export type RoomFlag = 'topicLocked' | 'noOutsideMessages' | 'inviteOnly' | 'moderated' | 'secret';

/**
 * A room's lists of masks (`nick!user@host` with `*` and `?`): `bans` keep matching users out and silent,
 * `banExceptions` let matching users past the bans, `inviteExceptions` let matching users into an
 * invite-only room without an invitation.
 */
export type RoomListName = 'bans' | 'banExceptions' | 'inviteExceptions';

/** A mask added to or removed from one of a room's lists (spelled in its full `nick!user@host` form once applied). */
export interface RoomListChange {
  readonly list: RoomListName;
  readonly mask: string;
  readonly added: boolean;
}

/** A member given (`granted`) or stripped of a role; `nick` is spelled as the member's nick once applied. */
export interface RoomRoleChange {
  readonly role: RoomRole;
  readonly nick: string;
  readonly granted: boolean;
}

/**
 * A room setting changed: a flag turned on or off, the key needed to join set (or cleared with
 * `undefined`), or the most members at once set (or cleared with `undefined`).
 */
export type RoomSettingChange =
  | { readonly setting: RoomFlag; readonly value: boolean }
  | { readonly setting: 'key'; readonly value: string | undefined }
  | { readonly setting: 'limit'; readonly value: number | undefined };

/** One change to a room's roles, settings or lists (each front door maps its own syntax, such as IRC's MODE letters). */
export type RoomChange = RoomRoleChange | RoomSettingChange | RoomListChange;

/**
 * Tags sent on their own, with no text (IRCv3 `TAGMSG`: typing notices, reactions). They reach the room's
 * members or the user like a message, under the same rules, but are never stored.
 */
export interface ChatSignal {
  /** Unique per service run, from the same sequence as message ids. */
  id: string;
  /** When the service accepted it, in seconds. */
  time: number;
  from: string;
  /** The room name or the recipient's nick. */
  to: string;
  tags: Record<string, string>;
}

/** A nick that was in use, as remembered once its user left or changed nick (IRC's WHOWAS). */
export interface DepartedUser {
  readonly nick: string;
  readonly username: string;
  readonly host: string;
  readonly realname: string;
  /** When the nick was given up, in seconds. */
  readonly time: number;
}

/**
 * What a front door implements to hear about the chat on behalf of one logged-in user. Every method is
 * called synchronously from inside the service call that caused it; a front door must not throw from
 * them (it would interrupt delivery to the others) — queue or drop instead.
 *
 * Events about a room reach every member, the one who caused them included (so a front door can echo
 * joins, parts and topic changes the same way for everyone). Messages reach everyone but their sender.
 */
export interface IChatClient {
  /** A message to a room this user is in, or to this user. */
  receive(message: ChatMessage): void;
  /** `nick` joined `room` (this user included: then the room's state is ready to show). */
  userJoined(room: string, nick: string): void;
  /** `nick` left `room`; for a kick, `by` is the operator. */
  userLeft(room: string, nick: string, reason: string, kind: LeaveKind, by?: string): void;
  /** `nick`, who shares a room with this user, disconnected. Told once, however many rooms are shared. */
  userQuit(nick: string, reason: string): void;
  /** A user sharing a room with this one (or this user) changed nick. */
  nickChanged(oldNick: string, newNick: string): void;
  /** The topic of `room` changed. */
  topicChanged(room: string, topic: string, by: string): void;
  /** `by` changed roles or settings of `room` (only changes that did something, in the order applied). */
  roomChanged(room: string, by: string, changes: readonly RoomChange[]): void;
  /** `by` invited this user to `room`. */
  invited(room: string, by: string): void;
  /** The service is ending this session (shutdown, the nick taken over by its owner, a server operator's kill). */
  disconnect(reason: string): void;
  /**
   * `nick`, who shares a room with this user, went away (`away` is the message) or came back (undefined).
   * Optional, like the methods below: a front door that has no way to show it leaves it out.
   */
  awayChanged?(nick: string, away: string | undefined): void;
  /** `nick` (this user, or one sharing a room) changed real name. */
  realnameChanged?(nick: string, realname: string): void;
  /** `by` invited `nick` to `room`, a room this user is in (told to members but the inviter). */
  userInvited?(room: string, nick: string, by: string): void;
  /** Tags sent on their own to a room this user is in, or to this user. */
  signal?(signal: ChatSignal): void;
  /** A server operator's announcement to everyone who listens for them (IRC's WALLOPS). */
  announcement?(by: string, text: string): void;
}

/** A registered nick, as stored. */
export interface AccountRecord {
  /** The nick as registered (its case kept for display). */
  name: string;
  /** `scrypt$N$r$p$salt$hash` (see `hashPassword`). */
  passwordHash: string;
  /** When it was registered, in the service clock's seconds. */
  created: number;
  /**
   * SCRAM keys of the same password (one per hash), for XMPP's SCRAM logins; made when the password is set,
   * or at the first password login of an account made before the keys existed. Absent until then.
   */
  scram?: readonly ScramCredentials[];
}

/**
 * Which part of a room's history to read: the newest `limit` lines (or, with `earliest`, the oldest),
 * optionally only those between two times. A store reads at most `limit` lines to answer, whatever the
 * room holds.
 */
export interface HistoryQuery {
  limit: number;
  /** Only messages strictly older than this time (seconds). */
  before?: number;
  /** Only messages strictly newer than this time (seconds). */
  after?: number;
  /** The oldest `limit` matching lines instead of the newest (IRC's `CHATHISTORY AFTER`). */
  earliest?: boolean;
  /**
   * Only lines whose room sequence number ({@link ChatMessage.seq}) is greater than this, in the order of
   * those numbers (lines without a number are left out): what a page that saw the room up to `afterSeq`
   * missed.
   */
  afterSeq?: number;
}

/**
 * Where accounts and room history live. Keys are casefolded (`foldNick`/`foldRoom`) by the service before
 * they reach a store. Delivery never waits on storage: `appendMessage` queues the line and says when it is
 * stored; a store may batch writes, and `flush` waits for them. A store bounds what it keeps (lines per
 * room, lines in all) by deleting the oldest.
 */
export interface IWordsStore {
  /** Opens the store (creates its tables). */
  start(): Deferred<void>;
  /** Flushes and closes it. */
  stop(): Deferred<void>;
  getAccount(key: string): Deferred<AccountRecord | undefined>;
  /** Adds an account; fails with `AccountExistsError` if `key` is taken. */
  createAccount(key: string, record: AccountRecord): Deferred<void>;
  /** Replaces the password hash and the SCRAM keys (removed when `scram` is not given); fires false if there is no such account. */
  setPasswordHash(key: string, passwordHash: string, scram?: readonly ScramCredentials[]): Deferred<boolean>;
  /**
   * Adds SCRAM keys to an account whose password hash is still `passwordHash` (the keys are of that
   * password: a password changed meanwhile keeps its own); fires false if there is no such account.
   */
  setScramCredentials(key: string, passwordHash: string, scram: readonly ScramCredentials[]): Deferred<boolean>;
  /** Removes an account; fires false if there was none. */
  deleteAccount(key: string): Deferred<boolean>;
  /**
   * Records a room message under `roomKey`. The Deferred fires once the message is stored (committed, for a
   * database) and fails if it could not be.
   */
  appendMessage(roomKey: string, message: ChatMessage): Deferred<void>;
  /** Messages of a room, oldest first: the newest (or with `earliest` the oldest) `limit` matching `query`. */
  history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]>;
  /** Fires once every appended message is stored. */
  flush(): Deferred<void>;
}
