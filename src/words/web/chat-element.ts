/**
 * `WebChat`: the server half of the chat page, a `LiveElement` whose browser twin (`chat.client.ts`) draws
 * the nick form, the rooms and the lines. It owns one {@link WebChatSession} and relays what the session
 * tells the page as calls into the browser widget.
 *
 * The markup keeps the hooks automated checks rely on: `input[name=nick]`, `input[name=message]` (Enter
 * sends) and one `.message` element per chat line holding the sender's nick and the text.
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Deferred } from '../../defer/index.js';
import { CallTimeout, TooManyCalls, expose } from '../../live/index.js';
import { LiveElement } from '../../live/element.js';
import { Logger } from '../../logger/index.js';
import { TagLoader, tags } from '../../template/index.js';
import type { WordsService } from '../service.js';
import type { IChatView, WebLine, WebMember, WebRoomState } from './interfaces.js';
import type { WebChatOptions } from './options.js';
import { WebChatSession } from './session.js';

const log = new Logger({ namespace: 'torsion.words.web' });

/** A module next to this one: the `.ts` source under tsx, the compiled `.js` in `dist/`. */
function sibling(name: string): URL {
  const ts = new URL(`./${name}.ts`, import.meta.url);
  return existsSync(fileURLToPath(ts)) ? ts : new URL(`./${name}.js`, import.meta.url);
}

const { div, form, h1, h2, p, label, input, button, ul, aside, main, header, span } = tags;

const MARKUP = div(
  { class: 'torsion-chat' },
  form(
    { class: 'login', 'data-live-id': 'login', 'data-live-on': 'submit:loginSubmit' },
    h1('Torsion chat'),
    p('Pick a nick to join ', span({ class: 'room-name' }, '#lobby'), '. Registered nicks need their password.'),
    label('Nick ', input({ name: 'nick', autocomplete: 'nickname', maxlength: '30', required: '', autofocus: '' })),
    label('Password ', input({ name: 'password', type: 'password', autocomplete: 'current-password', placeholder: 'only for registered nicks' })),
    div(
      { class: 'buttons' },
      button({ type: 'submit', name: 'action', value: 'enter' }, 'Enter chat'),
      button({ type: 'submit', name: 'action', value: 'register' }, 'Register this nick'),
    ),
    p({ class: 'error', 'data-live-id': 'loginError', role: 'alert' }),
  ),
  div(
    { class: 'chat', 'data-live-id': 'chat', hidden: '' },
    aside(
      { class: 'rooms' },
      h2('Rooms'),
      ul({ 'data-live-id': 'rooms' }),
      form(
        { 'data-live-on': 'submit:joinSubmit' },
        input({ name: 'room', placeholder: '#room', autocomplete: 'off', maxlength: '50' }),
        button({ type: 'submit' }, 'Join'),
      ),
      p({ class: 'me' }, 'You are ', span({ 'data-live-id': 'me' })),
    ),
    main(
      header(h2({ 'data-live-id': 'roomName' }), p({ class: 'topic', 'data-live-id': 'topic' })),
      div(
        { class: 'logs', 'data-live-id': 'logs', 'aria-live': 'polite' },
        div(
          { class: 'log nowhere', 'data-live-id': 'nowhere', hidden: '' },
          p({ class: 'hint' }, 'You are in no room. Type /join #room below, or use the Join box.'),
        ),
      ),
      form(
        { class: 'say', 'data-live-on': 'submit:sendSubmit' },
        input({ name: 'message', autocomplete: 'off', maxlength: '1000', placeholder: 'Say something, or /help' }),
        button({ type: 'submit' }, 'Send'),
      ),
    ),
    aside({ class: 'members' }, h2('People'), ul({ 'data-live-id': 'members' })),
  ),
);

/**
 * An {@link IChatView} that calls the browser widget; calls to a page that is gone are dropped. A page that
 * leaves `maxPendingCalls` of them unanswered, or one unanswered for `callTimeout`, is not keeping up with
 * its rooms (it stopped reading, or its link is too slow): it is disconnected, which logs its user out,
 * rather than kept in the rooms missing lines, or holding them for it.
 */
class RemoteView implements IChatView {
  constructor(readonly element: LiveElement) {}

  #call(method: string, ...args: unknown[]): void {
    const page = this.element.page;
    if (page === null || page.isGone) return;
    this.element.callRemote(method, ...args).addErrback((f) => {
      if (f.check(TooManyCalls, CallTimeout) !== null && !page.isGone) {
        log.info('web chat page dropped: {error}', { error: f.getErrorMessage() });
        page.disconnect('the page is not keeping up with its rooms');
        return;
      }
      log.debug('web chat call {method} not delivered: {error}', { method, error: f.getErrorMessage() });
    });
  }

  loggedIn(nick: string): void {
    this.#call('loggedIn', nick);
  }
  roomJoined(state: WebRoomState): void {
    this.#call('roomJoined', state);
  }
  roomLeft(room: string, reason: string): void {
    this.#call('roomLeft', room, reason);
  }
  message(line: WebLine): void {
    this.#call('message', line);
  }
  event(room: string | null, text: string): void {
    this.#call('event', room, text);
  }
  memberJoined(room: string, member: WebMember): void {
    this.#call('memberJoined', room, member);
  }
  memberLeft(room: string, nick: string, text: string): void {
    this.#call('memberLeft', room, nick, text);
  }
  memberChanged(room: string, member: WebMember): void {
    this.#call('memberChanged', room, member);
  }
  quit(room: string | null, nick: string, reason: string): void {
    this.#call('quit', room, nick, reason);
  }
  renamed(room: string | null, oldNick: string, newNick: string): void {
    this.#call('renamed', room, oldNick, newNick);
  }
  topic(room: string, topic: string): void {
    this.#call('topic', room, topic);
  }
  nickChanged(nick: string): void {
    this.#call('nickChanged', nick);
  }
  closed(reason: string): void {
    this.#call('closed', reason);
  }
}

/** The chat page's root widget. One per page load. */
export class WebChat extends LiveElement {
  static override jsClass = 'WebChat';
  static override jsModule = sibling('chat.client');
  static override loader = TagLoader(MARKUP);
  readonly session: WebChatSession;
  #watching = false;

  constructor(service: WordsService, options: WebChatOptions = {}, host = 'web') {
    super();
    this.session = new WebChatSession(service, new RemoteView(this), options, host);
  }

  override getInitialArguments(): unknown[] {
    // Rendering is the first moment the element has its page: from then on, the page's end ends the session.
    if (!this.#watching && this.page !== null) {
      this.#watching = true;
      this.notifyOnDisconnect().addCallback(() => this.session.end());
    }
    const o = this.session.options;
    return [{ maxMessageLength: o.maxMessageLength, lobby: o.autoJoin[0] ?? null }];
  }

  /**
   * Logs in (or registers, then logs in). Resolves with `null`, or with why not. `resumeAfter`, from a page
   * back after losing its node: room name → the last room number it showed there.
   */
  @expose
  login(nick: unknown, password: unknown, register: unknown, resumeAfter?: unknown): Deferred<string | null> | string {
    if (typeof nick !== 'string' || (password !== undefined && password !== null && typeof password !== 'string')) return 'Invalid login';
    return this.session.login(nick.trim(), (password as string | null) ?? undefined, register === true, roomNumbers(resumeAfter));
  }

  /** Handles a line typed in `room`. Resolves with `null`, or with a message to show. */
  @expose
  say(room: unknown, text: unknown): Deferred<string | null> | string {
    if (typeof room !== 'string' || typeof text !== 'string') return 'Invalid message';
    return this.session.say(room, text);
  }

  /** Shows `room` again (joining it if needed). */
  @expose
  open(room: unknown): Deferred<string | null> | string {
    if (typeof room !== 'string') return 'Invalid room';
    return this.session.say(room, `/join ${room}`);
  }

  /** The page is being closed by its user: log out now rather than after the grace period. */
  @expose
  leave(): void {
    this.session.end('Page closed');
  }

  override detached(): void {
    this.session.end('Page closed');
  }
}

/** The room → number pairs of a page's `resumeAfter` that are well formed; anything else is left out. */
function roomNumbers(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [room, seq] of Object.entries(value)) if (Number.isSafeInteger(seq) && (seq as number) >= 0) out.set(room, seq as number);
  return out;
}
