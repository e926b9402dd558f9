/**
 * `WordsXMPPSession`: one bound XMPP session on the words service. It is the session's `IChatClient` (words
 * events become MUC presences and messages) and turns the client's MUC stanzas into words calls.
 *
 * The words model gives a logged-in user one nick in every room, where MUC gives one per room. The session
 * logs in to words on its first room join, under the nick asked for, and keeps that nick in every room: a
 * join under another nick while in other rooms is refused with `not-acceptable` (a nick change is a presence
 * to a room one is in, and renames the user everywhere, as on IRC). Leaving the last room logs the session
 * out of words, so no idle user is left on IRC's side. A nick held by anyone, even another session of the
 * same account, is a `409 conflict`: this door never takes a nick from its holder.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import type { IReactorTime } from '../../internet/interfaces.js';
import { Element, el } from '../../xmpp/element.js';
import { JID } from '../../xmpp/jid.js';
import { NS } from '../../xmpp/namespaces.js';
import { stanzaErrorReply } from '../../xmpp/server/router.js';
import { InvalidNickError, NickInUseError, WordsError } from '../errors.js';
import type { ChatMessage, IChatClient, LeaveKind, RoomChange } from '../interfaces.js';
import { foldName, isValidNick } from '../names.js';
import type { VerifiedAccount, WordsService } from '../service.js';
import type { ChatUser } from '../user.js';
import type { XMPPDoorLimits } from './limits.js';
import { groupchat, mucItem, occupantPresence, presenceError, roomJid, roomNameOf } from './muc-stanzas.js';

/** What a session needs from its door. */
export interface SessionContext {
  readonly service: WordsService;
  readonly domain: string;
  readonly mucDomain: string;
  readonly limits: XMPPDoorLimits;
  readonly clock: IReactorTime;
}

/** A room as this session has shown it: its words name and the occupants' nicks by folded nick. */
interface RoomView {
  readonly name: string;
  readonly jid: JID;
  readonly occupants: Map<string, string>;
  historyWanted: number;
}

/** Words refusals as MUC presence errors (XEP-0045 §7.2.x). */
const JOIN_ERRORS: Record<string, [condition: string, type: string]> = {
  TORSION_WORDS_BANNED: ['forbidden', 'auth'],
  TORSION_WORDS_INVITE_ONLY: ['registration-required', 'auth'],
  TORSION_WORDS_BAD_KEY: ['not-authorized', 'auth'],
  TORSION_WORDS_ROOM_FULL: ['service-unavailable', 'wait'],
  TORSION_WORDS_TOO_MANY_ROOMS: ['resource-constraint', 'wait'],
  TORSION_WORDS_INVALID_ROOM: ['jid-malformed', 'modify'],
  TORSION_WORDS_NICK_IN_USE: ['conflict', 'cancel'],
  TORSION_WORDS_AUTHENTICATION: ['conflict', 'cancel'],
  TORSION_WORDS_INVALID_NICK: ['jid-malformed', 'modify'],
};

/** One XMPP session on the words service. */
export class WordsXMPPSession implements IChatClient {
  /** The words user, while the session is in at least one room. */
  user: ChatUser | undefined;
  readonly #rooms = new Map<string, RoomView>();
  /** Work on the words user (logins, nick changes) one at a time, in the order the stanzas came. */
  #queue: Deferred<void> = Deferred.succeed(undefined);
  #tokens: number;
  #lastRefill: number;
  #closed = false;

  constructor(
    readonly context: SessionContext,
    readonly jid: JID,
    readonly account: VerifiedAccount | undefined,
    readonly host: string | undefined,
    readonly deliver: (stanza: Element) => void,
  ) {
    this.#tokens = context.limits.floodBurst;
    this.#lastRefill = context.clock.seconds();
  }

  /** The session ended: leave words. */
  end(reason = 'XMPP session ended'): void {
    this.#closed = true;
    const user = this.user;
    this.user = undefined;
    this.#rooms.clear();
    user?.quit(reason);
  }

  /** A presence to an occupant JID: join, nick change or leave. */
  presence(p: Element, to: JID): void {
    const name = roomNameOf(to.bare(), this.context.mucDomain);
    if (name === undefined) return this.deliver(presenceError(to.toString(), this.jid, 'item-not-found', 'cancel'));
    const type = p.getAttribute('type');
    const view = this.#rooms.get(foldName(name));
    if (type === 'unavailable') {
      if (view && this.user) this.#guard(p, () => this.user!.part(view.name, p.getChildText('status') ?? ''));
      this.#logoutIfRoomless();
      return;
    }
    if (type !== undefined) return;
    if (to.resource === undefined) return this.deliver(presenceError(to.toString(), this.jid, 'jid-malformed', 'modify', 'a room nick is needed'));
    const nick = to.resource;
    if (!this.#take()) return this.deliver(presenceError(to.toString(), this.jid, 'resource-constraint', 'wait', 'too fast'));
    if (view) {
      if (this.user && nick !== this.user.nick) this.#enqueue(() => this.#changeNick(to, nick));
      return;
    }
    const history = p.getChild('x', NS.MUC)?.getChild('history');
    const wanted = history?.getAttribute('maxchars') === '0' ? 0 : Number(history?.getAttribute('maxstanzas') ?? this.context.limits.historyOnJoin);
    const password = p.getChild('x', NS.MUC)?.getChildText('password');
    this.#enqueue(() => this.#join(name, to, nick, Number.isInteger(wanted) && wanted >= 0 ? Math.min(wanted, this.context.limits.historyOnJoin) : this.context.limits.historyOnJoin, password));
  }

  /** A message to a room (`groupchat`) or to an occupant (a private message). */
  message(m: Element, to: JID): void {
    const name = roomNameOf(to.bare(), this.context.mucDomain);
    const view = name === undefined ? undefined : this.#rooms.get(foldName(name));
    const user = this.user;
    if (!view || !user) return this.deliver(stanzaErrorReply(m, 'not-acceptable', 'cancel'));
    const body = m.getChildText('body');
    const subject = m.getChildText('subject');
    if (body !== undefined && body.length > this.context.limits.maxMessageLength) return this.deliver(stanzaErrorReply(m, 'not-acceptable', 'modify'));
    if (!this.#take()) return this.deliver(stanzaErrorReply(m, 'resource-constraint', 'wait'));
    this.#guard(m, () => {
      if (to.resource !== undefined) {
        if (body) user.send(to.resource, ...asWords(body));
        return;
      }
      if (m.getAttribute('type') !== 'groupchat') return this.deliver(stanzaErrorReply(m, 'bad-request', 'modify'));
      if (subject !== undefined && body === undefined) return user.setTopic(view.name, subject);
      if (!body) return;
      const { message } = user.send(view.name, ...asWords(body));
      // MUC reflects a room message to its sender, which is how clients know it was accepted.
      this.deliver(groupchat(new JID(view.jid.local, view.jid.domain, user.nick), this.jid, body, m.getAttribute('id') ?? message.id));
    });
  }

  /** Runs a words call for a client stanza; a words refusal becomes a stanza error. */
  #guard(stanza: Element, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof WordsError)) throw e;
      const [condition, type] = JOIN_ERRORS[e.code] ?? ['not-acceptable', 'cancel'];
      const reply = stanzaErrorReply(stanza, stanza.name === 'message' && condition !== 'forbidden' ? 'not-acceptable' : condition, type);
      reply.getChild('error')!.addElement('text', NS.STANZA_ERRORS).addContent(e.message);
      this.deliver(reply);
    }
  }

  #take(): boolean {
    const now = this.context.clock.seconds();
    const { floodBurst, floodRate } = this.context.limits;
    this.#tokens = Math.min(floodBurst, this.#tokens + (now - this.#lastRefill) * floodRate);
    this.#lastRefill = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #enqueue(work: () => Deferred<void> | void): void {
    this.#queue = this.#queue.addCallback(() => (this.#closed ? undefined : work())).addErrback(() => undefined);
  }

  #refuse(to: JID, error: unknown): void {
    const code = error instanceof WordsError ? error.code : '';
    const [condition, type] = JOIN_ERRORS[code] ?? ['not-acceptable', 'cancel'];
    this.deliver(presenceError(to.toString(), this.jid, condition, type, error instanceof Error ? error.message : undefined));
  }

  #join(name: string, to: JID, nick: string, historyWanted: number, password: string | undefined): Deferred<void> | void {
    const service = this.context.service;
    if (!isValidNick(nick)) return this.#refuse(to, new InvalidNickError(nick));
    const view: RoomView = { name, jid: to.bare(), occupants: new Map(), historyWanted };
    const enter = (): void => {
      const user = this.user;
      if (!user) return;
      this.#rooms.set(foldName(name), view);
      try {
        user.join(name, password);
      } catch (e) {
        this.#rooms.delete(foldName(name));
        this.#refuse(to, e);
        if (user.rooms.size === 0) this.#logout();
      }
    };
    if (this.user) {
      if (foldName(nick) === this.user.key) return enter();
      if (this.user.rooms.size > 0) return this.deliver(presenceError(to.toString(), this.jid, 'not-acceptable', 'cancel', `this server keeps one nick in every room: join as ${this.user.nick}`));
    }
    if (service.findUser(nick) !== undefined && service.findUser(nick) !== this.user) return this.#refuse(to, new NickInUseError(nick));
    if (this.user) return this.user.setNick(nick).addCallbacks(enter, (f: Failure) => this.#refuse(to, f.value));
    return service
      .login(nick, { client: this, username: this.jid.local ?? nick, realname: this.jid.bare().toString(), ...(this.host ? { host: this.host } : {}), ...(this.account ? { account: this.account } : {}) })
      .addCallbacks(
        (user) => {
          if (this.#closed) return user.quit('XMPP session ended');
          this.user = user;
          enter();
        },
        (f: Failure) => this.#refuse(to, f.value),
      );
  }

  #changeNick(to: JID, nick: string): Deferred<void> | void {
    const user = this.user;
    if (!user) return;
    if (!isValidNick(nick)) return this.#refuse(to, new InvalidNickError(nick));
    return user.setNick(nick).addErrback((f: Failure) => this.#refuse(to, f.value));
  }

  #logoutIfRoomless(): void {
    if (this.user && this.user.rooms.size === 0) this.#logout();
  }

  #logout(): void {
    const user = this.user;
    this.user = undefined;
    user?.quit('left every room');
  }

  #occupant(view: RoomView, nick: string): JID {
    return new JID(view.jid.local, view.jid.domain, nick);
  }

  #item(view: RoomView, nick: string): { affiliation: string; role: string } {
    const room = this.context.service.findRoom(view.name);
    const member = room && this.context.service.findUser(nick);
    return mucItem(member ? room.membership(member) : undefined, room?.settings.moderated ?? false);
  }

  // IChatClient: words events for this session's user, as MUC stanzas.

  receive(message: ChatMessage): void {
    const text = message.kind === 'action' ? `/me ${message.text}` : message.text;
    const view = this.#rooms.get(foldName(message.to));
    if (view) return this.deliver(groupchat(this.#occupant(view, message.from), this.jid, text, message.id));
    // A private line: from the sender as an occupant of a room both are in, else from nick@domain.
    const shared = [...this.#rooms.values()].find((v) => v.occupants.has(foldName(message.from)));
    let from: string;
    try {
      from = shared ? this.#occupant(shared, message.from).toString() : new JID(message.from, this.context.domain).toString();
    } catch {
      return;
    }
    this.deliver(el('message', NS.CLIENT, { from, to: this.jid.toString(), type: 'chat', id: message.id }, el('body', '', {}, text), el('x', NS.MUC_USER)));
  }

  userJoined(room: string, nick: string): void {
    const view = this.#rooms.get(foldName(room));
    if (!view) return;
    if (this.user && foldName(nick) === this.user.key) return this.#selfJoined(view);
    view.occupants.set(foldName(nick), nick);
    this.deliver(occupantPresence(this.#occupant(view, nick), this.jid, this.#item(view, nick)));
  }

  #selfJoined(view: RoomView): void {
    const service = this.context.service;
    const room = service.findRoom(view.name);
    const me = this.user!;
    if (!room) return;
    for (const m of room.members()) {
      view.occupants.set(m.user.key, m.user.nick);
      if (m.user === me) continue;
      this.deliver(occupantPresence(this.#occupant(view, m.user.nick), this.jid, mucItem(m, room.settings.moderated)));
    }
    this.deliver(occupantPresence(this.#occupant(view, me.nick), this.jid, mucItem(room.membership(me), room.settings.moderated), [110, 100]));
    const subject = (): void => {
      const by = room.topicSetBy ? this.#occupant(view, room.topicSetBy.split('!')[0]!) : view.jid;
      this.deliver(el('message', NS.CLIENT, { from: by.toString(), to: this.jid.toString(), type: 'groupchat' }, el('subject', '', {}, room.topic)));
    };
    if (view.historyWanted === 0) return subject();
    service
      .history(room, { limit: view.historyWanted })
      .addCallbacks(
        (lines) => {
          if (!this.#rooms.has(room.key)) return;
          for (const l of lines) this.deliver(groupchat(this.#occupant(view, l.from), this.jid, l.kind === 'action' ? `/me ${l.text}` : l.text, l.id, l.time));
        },
        () => undefined,
      )
      .addCallback(() => {
        if (this.#rooms.has(room.key)) subject();
      });
  }

  userLeft(room: string, nick: string, reason: string, kind: LeaveKind): void {
    const view = this.#rooms.get(foldName(room));
    if (!view) return;
    const self = this.user !== undefined && foldName(nick) === this.user.key;
    const codes = [...(kind === 'kick' ? [307] : []), ...(self ? [110] : [])];
    const item = { affiliation: 'none', role: 'none' };
    this.deliver(occupantPresence(this.#occupant(view, nick), this.jid, item, codes, 'unavailable', reason || undefined));
    view.occupants.delete(foldName(nick));
    if (!self) return;
    this.#rooms.delete(foldName(room));
    // The service removes the member after telling everyone; a kick out of the last room logs out once it has.
    if (kind === 'kick') this.context.clock.callLater(0, () => this.#logoutIfRoomless());
  }

  userQuit(nick: string, reason: string): void {
    for (const view of this.#rooms.values()) {
      if (!view.occupants.delete(foldName(nick))) continue;
      this.deliver(occupantPresence(this.#occupant(view, nick), this.jid, { affiliation: 'none', role: 'none' }, [], 'unavailable', reason || undefined));
    }
  }

  nickChanged(oldNick: string, newNick: string): void {
    const self = this.user !== undefined && foldName(newNick) === this.user.key;
    for (const view of this.#rooms.values()) {
      if (!view.occupants.delete(foldName(oldNick))) continue;
      view.occupants.set(foldName(newNick), newNick);
      const item = this.#item(view, newNick);
      const codes = self ? [110] : [];
      this.deliver(occupantPresence(this.#occupant(view, oldNick), this.jid, { ...item, nick: newNick }, [303, ...codes], 'unavailable'));
      this.deliver(occupantPresence(this.#occupant(view, newNick), this.jid, item, codes));
    }
  }

  topicChanged(room: string, topic: string, by: string): void {
    const view = this.#rooms.get(foldName(room));
    if (view) this.deliver(el('message', NS.CLIENT, { from: this.#occupant(view, by).toString(), to: this.jid.toString(), type: 'groupchat' }, el('subject', '', {}, topic)));
  }

  roomChanged(room: string, _by: string, changes: readonly RoomChange[]): void {
    const view = this.#rooms.get(foldName(room));
    if (!view) return;
    // A setting changed (from any front door): XEP-0045 §10.2.1's status 104 makes clients fetch the room's disco#info again.
    if (changes.some((c) => 'setting' in c)) this.deliver(el('message', NS.CLIENT, { from: view.jid.toString(), to: this.jid.toString(), type: 'groupchat' }, el('x', NS.MUC_USER, {}, el('status', '', { code: '104' }))));
    for (const c of changes) {
      if (!('role' in c)) continue;
      this.deliver(occupantPresence(this.#occupant(view, c.nick), this.jid, this.#item(view, c.nick), this.user && foldName(c.nick) === this.user.key ? [110] : []));
    }
  }

  invited(room: string, by: string): void {
    const jid = roomJid(room, this.context.mucDomain);
    if (!jid) return;
    this.deliver(el('message', NS.CLIENT, { from: jid.toString(), to: this.jid.toString() }, el('x', NS.MUC_USER, {}, el('invite', '', { from: new JID(undefined, this.context.domain).toString() }, el('reason', '', {}, `${by} invites you`)))));
  }

  disconnect(reason: string): void {
    for (const view of this.#rooms.values()) {
      this.deliver(occupantPresence(this.#occupant(view, this.user?.nick ?? ''), this.jid, { affiliation: 'none', role: 'none' }, [110, 332], 'unavailable', reason));
    }
    this.#rooms.clear();
    this.user = undefined;
  }
}

/** A words line's text and kind from an XMPP body (`/me waves` is an action). */
function asWords(body: string): [string, { kind: 'action' | 'message' }] {
  return body.startsWith('/me ') ? [body.slice(4), { kind: 'action' }] : [body, { kind: 'message' }];
}

