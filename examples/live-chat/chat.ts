/**
 * The live chat's server side: a room, and one `Chatter` element per browser page in it.
 * @module
 */
import { LiveElement, expose } from 'torsion/live';
import { TagLoader, tags } from 'torsion/template';

/** Thrown when a name is empty, too long, or taken; the browser sees its type and message. */
export class NameTaken extends Error {
  override name = 'NameTaken';
}

/** Everyone in the room, by name. */
export class ChatRoom {
  readonly chatters = new Map<string, Chatter>();

  /** Sends a line to every chatter, the sender included, so all see the same order. */
  broadcast(method: 'displayMessage' | 'displayNotice', ...args: string[]): void {
    for (const c of this.chatters.values()) {
      c.callRemote(method, ...args).addErrback(() => undefined); // a page that is gone leaves below
    }
  }
}

/** One browser page in the chat. */
export class Chatter extends LiveElement {
  static override jsClass = 'Chatter';
  static override jsModule = new URL('./chatter.client.ts', import.meta.url);
  static override loader = TagLoader(
    tags.div(
      { class: 'chat' },
      tags.form({ 'data-live-id': 'login', 'data-live-on': 'submit:login' }, tags.input({ 'data-live-id': 'name', placeholder: 'Your name', autofocus: true }), tags.button('Join')),
      tags.p({ 'data-live-id': 'error', class: 'error' }),
      tags.ul({ 'data-live-id': 'log', class: 'log' }),
      tags.form({ 'data-live-id': 'talk', 'data-live-on': 'submit:say', hidden: true }, tags.input({ 'data-live-id': 'text', placeholder: 'Say something' }), tags.button('Send')),
    ),
  );
  username: string | null = null;

  constructor(readonly room: ChatRoom) {
    super();
  }

  /** Joins the room under `name`; answers who else is here. */
  @expose
  setUsername(name: unknown): string[] {
    if (this.username !== null) throw new NameTaken('you already have a name');
    if (typeof name !== 'string' || !/^\S.{0,31}$/.test(name) || this.room.chatters.has(name)) throw new NameTaken(`the name ${JSON.stringify(name)} is taken or not allowed`);
    const others = [...this.room.chatters.keys()];
    this.username = name;
    this.room.chatters.set(name, this);
    this.room.broadcast('displayNotice', `${name} joined`);
    // When the page is gone for good (closed, or away longer than the grace period), leave.
    this.notifyOnDisconnect().addCallback(() => {
      this.room.chatters.delete(name);
      this.room.broadcast('displayNotice', `${name} left`);
    });
    return others;
  }

  /** Says something to the room. */
  @expose
  say(text: unknown): void {
    if (this.username === null) throw new NameTaken('join first');
    if (typeof text !== 'string' || text.length === 0 || text.length > 1000) throw new RangeError('a message is 1 to 1000 characters');
    this.room.broadcast('displayMessage', this.username, text);
  }
}
