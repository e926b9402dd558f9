/**
 * `ChatRoom`: one room's state — members and their roles, topic, settings, invitations. Rooms are made by
 * their first join and vanish with their last member (their history stays in the store).
 * @module
 */
import type { ChatUser } from './user.js';
import type { ChatMessage, IChatClient, RoomChange, RoomListName } from './interfaces.js';
import { maskMatches, sameMask, type MaskSubject } from './masks.js';

/** A member of a room and the roles they hold there. */
export interface Membership {
  readonly user: ChatUser;
  /** Room operator: may kick, invite, change roles and settings, and set a locked topic. */
  operator: boolean;
  /** Voiced: may speak in a moderated room. */
  voice: boolean;
  /** When the member joined, in the service's seconds. */
  readonly joined: number;
}

/** A room's settings. */
export interface RoomSettings {
  /** Only operators set the topic. */
  topicLocked: boolean;
  /** Only members send messages to the room. */
  noOutsideMessages: boolean;
  /** An invitation is needed to join. */
  inviteOnly: boolean;
  /** Only voiced members and operators speak. */
  moderated: boolean;
  /** Left out of room lists, and its members out of lookups by people outside it. */
  secret: boolean;
  /** The key needed to join. */
  key?: string;
  /** Most members at once. */
  limit?: number;
}

/** A mask on one of a room's lists, and who put it there when. */
export interface RoomListEntry {
  /** The mask in its full `nick!user@host` form. */
  readonly mask: string;
  /** The nick of the operator who added it. */
  readonly setBy: string;
  /** When, in the service's seconds. */
  readonly setAt: number;
}

/** A room. Front doors read it; changes go through {@link ChatUser}'s methods so the rules are kept. */
export class ChatRoom {
  /** The topic ('' when unset). */
  topic = '';
  /** Who set the topic, and when (the service's seconds). */
  topicSetBy = '';
  topicSetAt = 0;
  readonly settings: RoomSettings = { topicLocked: true, noOutsideMessages: true, inviteOnly: false, moderated: false, secret: false };
  /** The room's mask lists, oldest entry first. */
  readonly lists: Readonly<Record<RoomListName, RoomListEntry[]>> = { bans: [], banExceptions: [], inviteExceptions: [] };
  /** Folded nicks invited and not yet joined. */
  readonly invites = new Set<string>();
  /** Members by folded nick. */
  readonly #members = new Map<string, Membership>();
  /**
   * The members who are users of this node: a room line reaches the users of other nodes through their own
   * node, so the fan-out on each node of a cluster passes over only its own share of the room.
   */
  readonly #here = new Set<Membership>();

  constructor(
    /** The name as first spelled. */
    readonly name: string,
    /** The folded name. */
    readonly key: string,
    /** When the room was made, in the service's seconds. */
    readonly created: number,
  ) {}

  /** How many members. */
  get size(): number {
    return this.#members.size;
  }

  /** The members, in joining order. */
  members(): IterableIterator<Membership> {
    return this.#members.values();
  }

  /** The membership of `user`, if a member. */
  membership(user: ChatUser): Membership | undefined {
    const m = this.#members.get(user.key);
    return m && m.user === user ? m : undefined;
  }

  /** The membership of the member with folded nick `key`. */
  memberByKey(key: string): Membership | undefined {
    return this.#members.get(key);
  }

  /** True if `list` has a mask matching `subject`. */
  listMatches(list: RoomListName, subject: MaskSubject): boolean {
    const entries = this.lists[list];
    for (const e of entries) if (maskMatches(e.mask, subject)) return true;
    return false;
  }

  /** True if `subject` is banned here: a ban matches it and no ban exception does. */
  isBanned(subject: MaskSubject): boolean {
    return this.lists.bans.length > 0 && this.listMatches('bans', subject) && !this.listMatches('banExceptions', subject);
  }

  /** The entry of `list` holding `mask` (compared under the case mapping). */
  listEntry(list: RoomListName, mask: string): RoomListEntry | undefined {
    return this.lists[list].find((e) => sameMask(e.mask, mask));
  }

  /** Calls `fn` with each member's client. */
  broadcast(fn: (client: IChatClient) => void, except?: ChatUser): void {
    for (const m of this.#members.values()) if (m.user !== except) fn(m.user.client);
  }

  /**
   * Gives `message` to the client of each member of this node but `except`'s (every node of a cluster
   * applies each room line and delivers it to its own users). The hot path of a room, kept apart from
   * {@link broadcast}: a closure made per message is a new function each time, and V8 optimised the
   * fan-out through it again and again (about once per burst in a fresh process, some 20 ms of
   * compilation each) instead of once.
   */
  deliver(message: ChatMessage, except?: ChatUser): void {
    for (const m of this.#here) if (m.user !== except) m.user.client.receive(message);
  }

  /** @internal */
  addMember(membership: Membership): void {
    const old = this.#members.get(membership.user.key);
    if (old !== undefined) this.#here.delete(old);
    this.#members.set(membership.user.key, membership);
    if (membership.user.node === undefined) this.#here.add(membership);
  }

  /** @internal */
  removeMember(user: ChatUser): boolean {
    const m = this.#members.get(user.key);
    if (m !== undefined) this.#here.delete(m);
    return this.#members.delete(user.key);
  }

  /** @internal Re-keys a member after a nick change. */
  rekeyMember(oldKey: string, user: ChatUser): void {
    const m = this.#members.get(oldKey);
    if (!m) return;
    this.#members.delete(oldKey);
    this.#members.set(user.key, m);
  }

  /** @internal Applies one checked change (`target` is the member of a role change; `by` and `now` date a list entry). */
  apply(change: RoomChange, target?: Membership, by = '', now = 0): void {
    if ('role' in change) {
      if (target) target[change.role] = change.granted;
      return;
    }
    if ('list' in change) {
      const entries = this.lists[change.list];
      const i = entries.findIndex((e) => sameMask(e.mask, change.mask));
      if (change.added && i < 0) entries.push({ mask: change.mask, setBy: by, setAt: now });
      else if (!change.added && i >= 0) entries.splice(i, 1);
      return;
    }
    switch (change.setting) {
      case 'key':
        this.settings.key = change.value;
        break;
      case 'limit':
        this.settings.limit = change.value;
        break;
      default:
        this.settings[change.setting] = change.value;
    }
  }
}
