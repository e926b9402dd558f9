/**
 * `ChatRoom`: one room's state — members and their roles, topic, settings, invitations. Rooms are made by
 * their first join and vanish with their last member (their history stays in the store).
 * @module
 */
import type { ChatUser } from './user.js';
import type { IChatClient, RoomChange } from './interfaces.js';

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
  /** The key needed to join. */
  key?: string;
  /** Most members at once. */
  limit?: number;
}

/** A room. Front doors read it; changes go through {@link ChatUser}'s methods so the rules are kept. */
export class ChatRoom {
  /** The topic ('' when unset). */
  topic = '';
  /** Who set the topic, and when (the service's seconds). */
  topicSetBy = '';
  topicSetAt = 0;
  readonly settings: RoomSettings = { topicLocked: true, noOutsideMessages: true, inviteOnly: false, moderated: false };
  /** Folded nicks invited and not yet joined. */
  readonly invites = new Set<string>();
  /** Members by folded nick. */
  readonly #members = new Map<string, Membership>();

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

  /** Calls `fn` with each member's client. */
  broadcast(fn: (client: IChatClient) => void, except?: ChatUser): void {
    for (const m of this.#members.values()) if (m.user !== except) fn(m.user.client);
  }

  /** @internal */
  addMember(membership: Membership): void {
    this.#members.set(membership.user.key, membership);
  }

  /** @internal */
  removeMember(user: ChatUser): boolean {
    return this.#members.delete(user.key);
  }

  /** @internal Re-keys a member after a nick change. */
  rekeyMember(oldKey: string, user: ChatUser): void {
    const m = this.#members.get(oldKey);
    if (!m) return;
    this.#members.delete(oldKey);
    this.#members.set(user.key, m);
  }

  /** @internal Applies one checked change (`target` is the member of a role change). */
  apply(change: RoomChange, target?: Membership): void {
    if ('role' in change) {
      if (target) target[change.role] = change.granted;
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
