/**
 * `WebChatSession`: one browser page's user of the words service, the web counterpart of the IRC server's
 * connection. It logs in through `WordsService.login`, acts through the `ChatUser` it gets back, and turns
 * what the service tells it (it is the user's {@link IChatClient}) into calls on the page's {@link IChatView}.
 *
 * Joining a room loads its scrollback from the store; lines and events for that room that arrive meanwhile
 * are held and sent after the scrollback (less any line the scrollback already holds), so the page sees the
 * room in order.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { splitMessage } from '../../irc/split.js';
import { Logger } from '../../logger/index.js';
import { NickInUseError, WordsError } from '../errors.js';
import type { ChatMessage, IChatClient, LeaveKind, RoomChange } from '../interfaces.js';
import { describeRoomChanges } from './room-changes.js';
import { foldName } from '../names.js';
import type { WordsService } from '../service.js';
import type { Membership } from '../room.js';
import type { ChatUser } from '../user.js';
import { runCommand } from './commands.js';
import type { IChatView, WebLine, WebMember, WebRoomState } from './interfaces.js';
import { resolveWebChatOptions, type ResolvedWebChatOptions, type WebChatOptions } from './options.js';

/** Told to the sender when a room line was delivered but could not be stored. */
export const NOT_STORED = 'That line reached the room but could not be saved: it will be missing from the history.';

const log = new Logger({ namespace: 'torsion.words.web' });

/** Turns a service message into the line the page shows. */
export function toWebLine(m: ChatMessage, room: string | null): WebLine {
  const line: WebLine = { id: m.id, time: m.time, from: m.from, to: m.to, text: m.text, kind: m.kind, room, action: m.kind === 'action' };
  if (m.seq !== undefined) line.seq = m.seq;
  return line;
}

/** The IRC-style prefix of a member's highest role. */
function prefixOf(m: Membership): WebMember['prefix'] {
  return m.operator ? '@' : m.voice ? '+' : '';
}

/** One page's chat session. */
export class WebChatSession implements IChatClient {
  readonly options: ResolvedWebChatOptions;
  /** The logged-in user, once logged in. */
  user: ChatUser | undefined;
  /** Rooms (by folded name) whose scrollback is loading, with the view calls held until it has arrived. */
  readonly #loading = new Map<string, { ids: Set<string>; held: (() => void)[] }>();
  /** Rooms (by folded name) whose history is to start after a room number, the next time each is shown. */
  #resumeAfter = new Map<string, number>();
  #loggingIn = false;
  #tokens: number;
  #lastRefill: number;
  #ended = false;

  constructor(
    readonly service: WordsService,
    readonly view: IChatView,
    options: WebChatOptions = {},
    /** The peer's address, shown as the user's host. */
    readonly host = 'web',
  ) {
    this.options = resolveWebChatOptions(options);
    this.#tokens = this.options.flood.burst;
    this.#lastRefill = service.now();
  }

  /**
   * Logs in as `nick` (with `password` for a registered nick), or, with `register`, registers `nick` with
   * `password` first. Joins the lobby. Resolves with `null`, or with why it was refused. `resumeAfter` (a
   * page back after losing its node) gives, per room name, the last room number the page had: each of those
   * rooms then shows, instead of its scrollback, the lines after that number (at most `maxRoomsPerUser` rooms).
   */
  login(nick: string, password?: string, register = false, resumeAfter: ReadonlyMap<string, number> = new Map()): Deferred<string | null> {
    if (this.user?.online || this.#loggingIn) return Deferred.succeed('Already logged in');
    this.#resumeAfter = new Map([...resumeAfter].slice(0, this.service.maxRoomsPerUser).map(([room, seq]) => [foldName(room), seq]));
    if (this.#ended) return Deferred.succeed('This page is closed');
    const pw = password === '' ? undefined : password;
    if (register && (pw === undefined || pw.length < this.options.minPasswordLength)) {
      return Deferred.succeed(`Choose a password of at least ${this.options.minPasswordLength} characters`);
    }
    // Registering a nick someone is using now would hand their nick to whoever registered it first.
    if (register && this.service.findUser(nick)) return Deferred.succeed(new NickInUseError(nick).message);
    this.#loggingIn = true;
    const registered = register ? this.service.registerVerified(nick, pw!, { host: this.host, connection: this }) : Deferred.succeed(undefined);
    return registered
      .addCallback((account) =>
        this.service.login(nick, { client: this, password: pw, account, host: this.host, username: 'web', realname: 'Web chat user' }),
      )
      .addCallbacks(
        (user) => {
          this.#loggingIn = false;
          if (this.#ended) {
            user.quit('Page closed');
            return 'This page is closed';
          }
          this.user = user;
          log.info('{nick} logged in from the web ({host})', { nick: user.nick, host: this.host });
          this.view.loggedIn(user.nick);
          for (const room of this.options.autoJoin) this.#guard(() => user.join(room));
          if (register) this.#note(`Registered ${user.nick}: from now on this nick needs your password`);
          return null;
        },
        (f: Failure) => {
          this.#loggingIn = false;
          if (f.value instanceof WordsError) return f.value.message;
          log.failure('web login failed', f);
          return 'The server could not log you in';
        },
      );
  }

  /**
   * Handles what the user typed in `room`: a line to say there, or a command (`/join #room`, `/part`,
   * `/msg nick text`, `/me text`, `/topic text`, `/nick name`). Resolves with `null`, or with why it failed.
   */
  say(room: string, text: string): Deferred<string | null> {
    const user = this.user;
    if (!user?.online) return Deferred.succeed('Not logged in');
    if (!this.#takeToken()) return Deferred.succeed('You are sending too fast; wait a moment');
    // Lines from the web have no line breaks to keep: on IRC each would end the command early.
    const line = text.replace(/[\r\n]+/g, ' ').trim();
    if (line === '') return Deferred.succeed(null);
    if (line.length > this.options.maxMessageLength) return Deferred.succeed(`Messages are at most ${this.options.maxMessageLength} characters`);
    try {
      return Deferred.succeed(runCommand(this, user, room, line));
    } catch (e) {
      if (e instanceof WordsError) return Deferred.succeed(e.message);
      throw e;
    }
  }

  /**
   * Sends a message (an action with `action`) for the user and shows it on the page (the service does not
   * echo a sender's lines). A long line goes as several messages, cut between words, so IRC users, whose
   * lines hold 512 bytes, get all of it. A room line is shown once the store holds it, so a line the
   * sender saw survives a crash (as IRC's echo-message); if it could not be stored, the page is told.
   */
  sendMessage(user: ChatUser, target: string, text: string, action = false): void {
    for (const piece of splitMessage(text, this.options.maxLineBytes)) {
      const { message, stored } = user.send(target, piece, { kind: action ? 'action' : 'message' });
      const room = user.rooms.get(foldName(message.to))?.name ?? null;
      const show = (): void => this.#forRoom(room, () => this.view.message(toWebLine(message, room)));
      if (stored === undefined) show();
      else
        stored.addCallback((ok) => {
          if (this.#ended) return;
          show();
          if (!ok) this.#forRoom(room, () => this.view.event(room, NOT_STORED));
        });
    }
  }

  /** Joins `room` (or, if already in it, shows it again with its scrollback). */
  join(user: ChatUser, room: string, key?: string): void {
    const r = user.rooms.get(foldName(room));
    if (r) this.#sendRoom(r.name);
    else user.join(room, key);
  }

  /** Ends the session (the page is gone). */
  end(reason = 'Page closed'): void {
    this.#ended = true;
    this.user?.quit(reason);
  }

  #takeToken(): boolean {
    const { burst, rate } = this.options.flood;
    const now = this.service.now();
    this.#tokens = Math.min(burst, this.#tokens + (now - this.#lastRefill) * rate);
    this.#lastRefill = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof WordsError)) throw e;
      this.view.event(null, e.message);
    }
  }

  /** Shows `text` in the first room the user is in (after its scrollback), or on its own when in none. */
  #note(text: string): void {
    const first = this.user?.rooms.values().next().value?.name;
    if (first === undefined) this.view.event(null, text);
    else this.#forRoom(first, () => this.view.event(first, text));
  }

  /** Runs `fn` now, or after the scrollback of `room` if it is loading. */
  #forRoom(room: string | null, fn: () => void): void {
    const loading = room === null ? undefined : this.#loading.get(foldName(room));
    if (loading) loading.held.push(fn);
    else fn();
  }

  /**
   * Runs `fn(null)` now, for the rooms the page shows, and `fn(room)` after the scrollback of each room
   * that is loading: for news about a user that may concern any room (a quit, a nick change), kept in order
   * with the other news of a loading room.
   */
  #everywhere(fn: (room: string | null) => void): void {
    fn(null);
    for (const [key, loading] of this.#loading) {
      const name = this.user?.rooms.get(key)?.name;
      if (name !== undefined) loading.held.push(() => fn(name));
    }
  }

  /** Loads the scrollback of `room` and shows the room. */
  #sendRoom(room: string): void {
    const key = foldName(room);
    const state = this.service.findRoom(room);
    if (this.#loading.has(key) || !this.user || !state) return;
    // The room as it is now: the changes held from here on are replayed onto exactly this state.
    const members = [...state.members()].map((m): WebMember => ({ nick: m.user.nick, prefix: prefixOf(m) }));
    const topic = state.topic;
    const pending = { ids: new Set<string>(), held: [] as (() => void)[] };
    this.#loading.set(key, pending);
    const user = this.user;
    const after = this.#resumeAfter.get(key);
    this.#resumeAfter.delete(key);
    const limit = this.options.scrollback;
    user
      .history(room, after === undefined ? { limit } : { limit, afterSeq: after })
      .addErrback((f: Failure) => {
        log.failure('could not load the history of {room}', f, { room });
        return [] as ChatMessage[];
      })
      .addCallback((history) => {
        // Left (and maybe joined again) while loading: that later join shows the room.
        if (this.#loading.get(key) !== pending) return;
        this.#loading.delete(key);
        const r = this.service.findRoom(room);
        if (!user.online || !r?.membership(user)) return;
        const lines = history.map((m) => toWebLine(m, r.name));
        for (const l of lines) pending.ids.add(l.id);
        const state: WebRoomState = { room: r.name, topic, members, history: lines };
        if (after !== undefined) state.resumed = { after, complete: lines.length < limit };
        this.view.roomJoined(state);
        for (const fn of pending.held) fn();
      });
  }

  // ------------------------------------------------------------------ IChatClient

  receive(message: ChatMessage): void {
    const room = this.user?.rooms.get(foldName(message.to));
    if (!room) {
      this.view.message(toWebLine(message, null));
      return;
    }
    const loading = this.#loading.get(room.key);
    const show = (): void => this.view.message(toWebLine(message, room.name));
    // A line held while the scrollback loads may be in the scrollback too (the store had it by then).
    if (loading) loading.held.push(() => loading.ids.has(message.id) || show());
    else show();
  }

  userJoined(room: string, nick: string): void {
    if (this.user && nick === this.user.nick) {
      this.#sendRoom(room);
      return;
    }
    const m = this.service.findRoom(room)?.memberByKey(foldName(nick));
    const member = { nick, prefix: m ? prefixOf(m) : '' } satisfies WebMember;
    this.#forRoom(room, () => this.view.memberJoined(room, member));
  }

  userLeft(room: string, nick: string, reason: string, kind: LeaveKind, by?: string): void {
    const why = reason ? ` (${reason})` : '';
    const text = kind === 'kick' ? `${nick} was kicked from ${room} by ${by ?? 'the server'}${why}` : `${nick} left ${room}${why}`;
    if (this.user && nick === this.user.nick) {
      this.#loading.delete(foldName(room));
      this.view.roomLeft(room, text);
      return;
    }
    this.#forRoom(room, () => this.view.memberLeft(room, nick, text));
  }

  userQuit(nick: string, reason: string): void {
    this.#everywhere((room) => this.view.quit(room, nick, reason));
  }

  nickChanged(oldNick: string, newNick: string): void {
    if (this.user && newNick === this.user.nick) this.view.nickChanged(newNick);
    this.#everywhere((room) => this.view.renamed(room, oldNick, newNick));
  }

  topicChanged(room: string, topic: string, by: string): void {
    this.#forRoom(room, () => {
      this.view.topic(room, topic);
      this.view.event(room, `${by} set the topic: ${topic}`);
    });
  }

  roomChanged(room: string, by: string, changes: readonly RoomChange[]): void {
    this.#forRoom(room, () => this.view.event(room, describeRoomChanges(by, changes)));
    const r = this.service.findRoom(room);
    const nicks = new Set(changes.flatMap((c) => ('role' in c ? [c.nick] : [])));
    for (const nick of nicks) {
      const m = r?.memberByKey(foldName(nick));
      if (m) {
        const member = { nick: m.user.nick, prefix: prefixOf(m) } satisfies WebMember;
        this.#forRoom(room, () => this.view.memberChanged(room, member));
      }
    }
  }

  invited(room: string, by: string): void {
    this.view.event(null, `${by} invites you to ${room} (type /join ${room})`);
  }

  disconnect(reason: string): void {
    this.user = undefined;
    this.#loading.clear();
    this.view.closed(reason);
  }
}
