/**
 * Browser side of the web chat (`WebChat`). Everything the server sends is put in the page as text
 * (`textContent`), never as markup, so a line can hold `<script>` and still only read as one.
 * @module
 */
import { Widget, expose } from '../../live/client/index.js';
import { foldName } from '../names.js';
import { SAVED_LINES, linesAfter, resumePoints, saveChat, takeSavedChat, type SavedChat } from './chat-resume.js';
import type { WebLine, WebMember, WebRoomState } from './interfaces.js';

interface RoomView {
  name: string;
  topic: string;
  members: WebMember[];
  log: HTMLElement;
  tab: HTMLElement;
  /** The last lines shown (at most {@link SAVED_LINES}), saved if the page must load itself again. */
  lines: WebLine[];
}

/** Most lines kept per room in the page; older ones are removed. */
const MAX_LINES = 1000;

/** Logins tried, a second apart, when coming back after the server was lost (its nick may not be free yet). */
const RESUME_TRIES = 10;

/** Where `nick` is in the room's member list (-1 if absent). */
function memberIndex(view: RoomView, nick: string): number {
  const folded = foldName(nick);
  return view.members.findIndex((m) => foldName(m.nick) === folded);
}

export class WebChat extends Widget {
  readonly rooms = new Map<string, RoomView>();
  current: string | null = null;
  nick: string | null = null;

  readonly lobby: string | null;
  /** Lines shown before the page loaded itself again, by room, until the room is joined again. */
  readonly #restored = new Map<string, WebLine[]>();

  constructor(node: Element, settings: { maxMessageLength: number; lobby: string | null }) {
    super(node);
    this.lobby = settings.lobby;
    addEventListener('pagehide', () => {
      if (this.nick !== null) this.callRemote('leave').addErrback(() => undefined);
    });
    // The server lost the page (its node died): come back through the same address, to a node that lives.
    document.addEventListener('torsion:live-gone', (e) => {
      if (this.nick === null) return;
      e.preventDefault();
      saveChat({ nick: this.nick, rooms: [...this.rooms.values()].map((v) => ({ name: v.name, lines: v.lines })) });
      location.reload();
    });
  }

  override loaded(): void {
    const saved = takeSavedChat();
    if (saved === null) return;
    for (const room of saved.rooms) this.#restored.set(foldName(room.name), room.lines);
    this.#input('nick').value = saved.nick;
    this.#resume(saved, RESUME_TRIES);
  }

  /** Logs in again as the saved nick and opens the saved rooms. */
  #resume(saved: SavedChat, tries: number): void {
    const error = this.#el('loginError');
    this.callRemote<string | null>('login', saved.nick, '', false, resumePoints(saved)).addCallbacks(
      (problem) => {
        if (problem === null) {
          for (const room of saved.rooms) if (foldName(room.name) !== (this.lobby === null ? null : foldName(this.lobby))) this.#open(room.name);
        } else if (tries > 1) setTimeout(() => this.#resume(saved, tries - 1), 1000);
        else error.textContent = problem;
      },
      (f) => {
        error.textContent = f.getErrorMessage();
      },
    );
  }

  #el<E extends HTMLElement = HTMLElement>(id: string): E {
    return this.nodeById<E>(id);
  }

  #input(name: string): HTMLInputElement {
    return this.node.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  }

  // ------------------------------------------------------------------ user actions

  loginSubmit(e: SubmitEvent): boolean {
    const register = (e.submitter as HTMLButtonElement | null)?.value === 'register';
    const nick = this.#input('nick').value.trim();
    const password = this.#input('password').value;
    const error = this.#el('loginError');
    error.textContent = '';
    this.callRemote<string | null>('login', nick, password, register).addCallbacks(
      (problem) => {
        if (problem !== null) error.textContent = problem;
      },
      (f) => {
        error.textContent = f.getErrorMessage();
      },
    );
    return false;
  }

  sendSubmit(): boolean {
    const field = this.#input('message');
    const text = field.value;
    if (text.trim() === '') return false;
    field.value = '';
    // In no room, commands still work (`/join`); the server answers anything else with a hint.
    const room = this.current === null ? '' : this.rooms.get(this.current)!.name;
    this.callRemote<string | null>('say', room, text).addCallbacks(
      (problem) => {
        if (problem !== null) this.#addEvent(this.current, problem, 'error');
      },
      (f) => this.#addEvent(this.current, f.getErrorMessage(), 'error'),
    );
    return false;
  }

  joinSubmit(): boolean {
    const field = this.#input('room');
    const name = field.value.trim();
    if (name === '') return false;
    field.value = '';
    this.#open(name);
    return false;
  }

  #open(name: string): void {
    const known = this.rooms.get(foldName(name));
    if (known) {
      this.#show(foldName(name));
      return;
    }
    this.callRemote<string | null>('open', name).addCallbacks(
      (problem) => {
        if (problem !== null) this.#addEvent(this.current, problem, 'error');
      },
      (f) => this.#addEvent(this.current, f.getErrorMessage(), 'error'),
    );
  }

  // ------------------------------------------------------------------ server calls

  @expose
  loggedIn(nick: string): void {
    this.nick = nick;
    this.#el('me').textContent = nick;
    this.#el('login').hidden = true;
    this.#el('chat').hidden = false;
    this.#input('password').value = '';
    this.#input('message').focus();
    // With no lobby to land in, say at once how to join a room.
    if (this.lobby === null) this.#render();
  }

  @expose
  roomJoined(state: WebRoomState): void {
    const key = foldName(state.room);
    let view = this.rooms.get(key);
    if (view === undefined) {
      const log = document.createElement('div');
      log.className = 'log';
      log.dataset.room = state.room;
      log.hidden = true;
      this.#el('logs').appendChild(log);
      const tab = document.createElement('li');
      const link = document.createElement('button');
      link.type = 'button';
      link.textContent = state.room;
      link.addEventListener('click', () => this.#show(key));
      tab.appendChild(link);
      this.#el('rooms').appendChild(tab);
      view = { name: state.room, topic: state.topic, members: state.members, log, tab, lines: [] };
      this.rooms.set(key, view);
    } else {
      view.log.replaceChildren();
    }
    view.topic = state.topic;
    view.members = state.members;
    view.lines = state.history.slice(-SAVED_LINES);
    const restored = this.#restored.get(key);
    this.#restored.delete(key);
    if (restored !== undefined) {
      // Back after the server was lost: the lines it had, then the ones it missed from the history.
      // Asked by room number: the history is what came after, bar the page's own lines, which have none.
      const shown = new Set(restored.map((l) => l.id));
      const { lines, gap } = state.resumed
        ? { lines: state.history.filter((l) => !shown.has(l.id)), gap: !state.resumed.complete }
        : linesAfter(restored, state.history);
      for (const line of restored) view.log.appendChild(this.#lineNode(line, 'history'));
      const mark = document.createElement('div');
      mark.className = 'event reconnected';
      mark.textContent = gap ? 'Reconnected; some lines may be missing here' : 'Reconnected';
      if (state.resumed) mark.dataset.after = String(state.resumed.after);
      view.log.appendChild(mark);
      for (const line of lines) view.log.appendChild(this.#lineNode(line));
      view.lines = [...restored, ...lines].slice(-SAVED_LINES);
    } else if (state.history.length > 0) {
      for (const line of state.history) view.log.appendChild(this.#lineNode(line, 'history'));
      const mark = document.createElement('div');
      mark.className = 'event scrollback-end';
      mark.textContent = 'End of scrollback';
      view.log.appendChild(mark);
    }
    this.#addEvent(key, `You joined ${state.room}`);
    this.#show(key);
  }

  @expose
  roomLeft(room: string, reason: string): void {
    const key = foldName(room);
    const view = this.rooms.get(key);
    if (view === undefined) return;
    view.log.remove();
    view.tab.remove();
    this.rooms.delete(key);
    const next = this.rooms.keys().next();
    this.current = null;
    if (!next.done) this.#show(next.value);
    else this.#render();
    this.#addEvent(this.current, reason);
  }

  @expose
  message(line: WebLine): void {
    const key = line.room === null ? this.current : foldName(line.room);
    const log = this.#logOf(key);
    if (log !== undefined) this.#append(log, this.#lineNode(line));
    const view = line.room === null ? undefined : this.rooms.get(foldName(line.room));
    if (view !== undefined) {
      view.lines.push(line);
      if (view.lines.length > SAVED_LINES) view.lines.shift();
    }
  }

  @expose
  event(room: string | null, text: string): void {
    if (room === null) {
      for (const key of this.rooms.keys()) this.#addEvent(key, text);
    } else this.#addEvent(foldName(room), text);
  }

  // Member lists come whole with roomJoined, then as changes, each applied only if it changes something:
  // a change told for every room (`null`) may reach a room whose list is being sent again.

  @expose
  memberJoined(room: string, member: WebMember): void {
    const key = foldName(room);
    const view = this.rooms.get(key);
    if (view === undefined) return;
    if (memberIndex(view, member.nick) < 0) view.members.push(member);
    this.#addEvent(key, `${member.nick} joined ${view.name}`);
    this.#membersChanged(key);
  }

  @expose
  memberLeft(room: string, nick: string, text: string): void {
    const key = foldName(room);
    const view = this.rooms.get(key);
    if (view === undefined) return;
    const i = memberIndex(view, nick);
    if (i >= 0) view.members.splice(i, 1);
    this.#addEvent(key, text);
    this.#membersChanged(key);
  }

  @expose
  memberChanged(room: string, member: WebMember): void {
    const key = foldName(room);
    const view = this.rooms.get(key);
    const i = view === undefined ? -1 : memberIndex(view, member.nick);
    if (i < 0) return;
    view!.members[i] = member;
    this.#membersChanged(key);
  }

  @expose
  quit(room: string | null, nick: string, reason: string): void {
    for (const key of this.#roomKeys(room)) {
      const view = this.rooms.get(key)!;
      const i = memberIndex(view, nick);
      if (i < 0) continue;
      view.members.splice(i, 1);
      this.#addEvent(key, `${nick} quit${reason ? ` (${reason})` : ''}`);
      this.#membersChanged(key);
    }
  }

  @expose
  renamed(room: string | null, oldNick: string, newNick: string): void {
    const text = `${oldNick} is now known as ${newNick}`;
    let told = false;
    for (const key of this.#roomKeys(room)) {
      const view = this.rooms.get(key)!;
      const i = memberIndex(view, oldNick);
      if (i < 0) continue;
      if (memberIndex(view, newNick) >= 0) view.members.splice(i, 1);
      else view.members[i] = { nick: newNick, prefix: view.members[i]!.prefix };
      this.#addEvent(key, text);
      this.#membersChanged(key);
      told = true;
    }
    if (!told && room === null && newNick === this.nick) this.#addEvent(null, text);
  }

  @expose
  topic(room: string, topic: string): void {
    const view = this.rooms.get(foldName(room));
    if (view === undefined) return;
    view.topic = topic;
    if (this.current === foldName(room)) this.#render();
  }

  @expose
  nickChanged(nick: string): void {
    this.nick = nick;
    this.#el('me').textContent = nick;
  }

  @expose
  closed(reason: string): void {
    this.nick = null;
    for (const view of this.rooms.values()) {
      view.log.remove();
      view.tab.remove();
    }
    this.rooms.clear();
    this.current = null;
    const nowhere = this.#el('nowhere');
    while (nowhere.childElementCount > 1) nowhere.lastElementChild!.remove();
    nowhere.hidden = true;
    this.#el('chat').hidden = true;
    this.#el('login').hidden = false;
    this.#el('loginError').textContent = `Disconnected: ${reason}`;
  }

  // ------------------------------------------------------------------ drawing

  #show(key: string): void {
    this.current = key;
    for (const [k, view] of this.rooms) {
      view.log.hidden = k !== key;
      view.tab.classList.toggle('current', k === key);
    }
    this.#render();
    const log = this.rooms.get(key)?.log;
    if (log) log.scrollTop = log.scrollHeight;
  }

  /** The keys of `room`'s view, or of every room's when `null`. */
  #roomKeys(room: string | null): string[] {
    if (room === null) return [...this.rooms.keys()];
    const key = foldName(room);
    return this.rooms.has(key) ? [key] : [];
  }

  #membersChanged(key: string): void {
    if (this.current === key) this.#render();
  }

  #render(): void {
    const view = this.current === null ? undefined : this.rooms.get(this.current);
    // In no room (after leaving the last one), a hint says how to join one rather than a blank page.
    this.#el('nowhere').hidden = view !== undefined || this.nick === null;
    this.#el('roomName').textContent = view?.name ?? '';
    this.#el('topic').textContent = view?.topic ?? '';
    const list = this.#el('members');
    list.replaceChildren(
      ...(view?.members ?? []).map((m) => {
        const li = document.createElement('li');
        li.textContent = m.prefix + m.nick;
        return li;
      }),
    );
  }

  #lineNode(line: WebLine, extra?: string): HTMLElement {
    const node = document.createElement('div');
    node.className = ['message', line.kind === 'notice' ? 'notice' : '', line.room === null ? 'private' : '', line.action ? 'action' : '', extra ?? ''].filter(Boolean).join(' ');
    node.dataset.id = line.id;
    const time = document.createElement('time');
    const at = new Date(line.time * 1000);
    time.dateTime = at.toISOString();
    time.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const nick = document.createElement('span');
    nick.className = 'nick';
    nick.textContent = line.room === null && line.from === this.nick ? `${line.from} → ${line.to}` : line.from;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = line.text;
    node.append(time, ' ', nick, ' ', text);
    return node;
  }

  /** The log lines for `key` go to: the room's, or, in no room at all, the hint pane. */
  #logOf(key: string | null): HTMLElement | undefined {
    if (key !== null) return this.rooms.get(key)?.log;
    if (this.nick === null || this.rooms.size > 0) return undefined;
    const nowhere = this.#el('nowhere');
    nowhere.hidden = false;
    return nowhere;
  }

  #addEvent(key: string | null, text: string, cls = 'event'): void {
    const log = this.#logOf(key);
    if (log === undefined) {
      if (!this.#el('login').hidden) this.#el('loginError').textContent = text;
      return;
    }
    const node = document.createElement('div');
    node.className = cls === 'event' ? 'event' : `event ${cls}`;
    node.textContent = text;
    this.#append(log, node);
  }

  #append(log: HTMLElement, node: HTMLElement): void {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.appendChild(node);
    while (log.childElementCount > MAX_LINES) log.firstElementChild!.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}
