/**
 * `ChatRoom`: one room's state — members and their roles, topic, modes, invitations. Rooms are made by
 * their first join and vanish with their last member (their history stays in the store).
 * @module
 */
import type { ChatUser } from './user.js';
import type { IChatClient, ModeChange } from './interfaces.js';

/** A member of a room and the roles they hold there. */
export interface Membership {
  readonly user: ChatUser;
  /** Room operator (`+o`): may kick, invite, change modes and (under `+t`) the topic. */
  op: boolean;
  /** Voiced (`+v`): may speak under `+m`. */
  voice: boolean;
  /** Milliseconds since the epoch. */
  readonly joined: number;
}

/** A room's modes (RFC 2811 letters). */
export interface RoomModes {
  /** `+t`: only operators set the topic. */
  topicLocked: boolean;
  /** `+n`: no messages from outside the room. */
  noExternal: boolean;
  /** `+i`: invitation needed to join. */
  inviteOnly: boolean;
  /** `+m`: only voiced users and operators speak. */
  moderated: boolean;
  /** `+k`: the key needed to join. */
  key?: string;
  /** `+l`: most members at once. */
  limit?: number;
}

/** A room. Front doors read it; changes go through {@link ChatUser}'s methods so the rules are kept. */
export class ChatRoom {
  /** The topic ('' when unset). */
  topic = '';
  /** Who set the topic, and when (ms). */
  topicSetBy = '';
  topicSetAt = 0;
  readonly modes: RoomModes = { topicLocked: true, noExternal: true, inviteOnly: false, moderated: false };
  /** Folded nicks invited and not yet joined. */
  readonly invites = new Set<string>();
  /** Members by folded nick. */
  readonly #members = new Map<string, Membership>();

  constructor(
    /** The name as first spelled. */
    readonly name: string,
    /** The folded name. */
    readonly key: string,
    /** Milliseconds since the epoch. */
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

  /** The mode string and its arguments, e.g. `['+ntk', 'secret']` (the key only for members when `showKey`). */
  modeString(showKey = true): string[] {
    const m = this.modes;
    let letters = '+';
    const args: string[] = [];
    if (m.inviteOnly) letters += 'i';
    if (m.moderated) letters += 'm';
    if (m.noExternal) letters += 'n';
    if (m.topicLocked) letters += 't';
    if (m.key !== undefined) {
      letters += 'k';
      args.push(showKey ? m.key : '*');
    }
    if (m.limit !== undefined) {
      letters += 'l';
      args.push(String(m.limit));
    }
    return [letters, ...args];
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

  /** @internal Applies one checked change. */
  applyMode(change: ModeChange, target?: Membership): void {
    const on = change.adding;
    switch (change.mode) {
      case 'o':
        if (target) target.op = on;
        break;
      case 'v':
        if (target) target.voice = on;
        break;
      case 't':
        this.modes.topicLocked = on;
        break;
      case 'n':
        this.modes.noExternal = on;
        break;
      case 'i':
        this.modes.inviteOnly = on;
        break;
      case 'm':
        this.modes.moderated = on;
        break;
      case 'k':
        this.modes.key = on ? change.arg : undefined;
        break;
      case 'l':
        this.modes.limit = on ? Number(change.arg) : undefined;
        break;
    }
  }
}
