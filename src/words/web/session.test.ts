/**
 * `WebChatSession` without a browser: what the page is told, in what order, for logins, rooms, scrollback,
 * commands and limits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { createWordsService, MemoryStore, type ChatMessage, type HistoryQuery, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import type { IChatView, WebLine, WebMember, WebRoomState } from './interfaces.js';
import { WebChatSession } from './session.js';

/** Records each call as a readable line. */
class RecordingView implements IChatView {
  readonly calls: string[] = [];
  readonly states: WebRoomState[] = [];
  take(): string[] {
    return this.calls.splice(0);
  }
  loggedIn(nick: string): void {
    this.calls.push(`loggedIn ${nick}`);
  }
  roomJoined(state: WebRoomState): void {
    this.states.push(state);
    this.calls.push(`roomJoined ${state.room} [${state.history.map((l) => l.text).join('|')}] members=${state.members.map((m) => m.prefix + m.nick).join(',')}`);
  }
  roomLeft(room: string, reason: string): void {
    this.calls.push(`roomLeft ${room}: ${reason}`);
  }
  message(line: WebLine): void {
    this.calls.push(`message ${line.room ?? '(private)'} ${line.from}${line.action ? ' *' : ''}: ${line.text}`);
  }
  event(room: string | null, text: string): void {
    this.calls.push(`event ${room ?? '(all)'}: ${text}`);
  }
  quit(nick: string, reason: string): void {
    this.calls.push(`quit ${nick}: ${reason}`);
  }
  members(room: string, members: WebMember[]): void {
    this.calls.push(`members ${room} ${members.map((m) => m.prefix + m.nick).join(',')}`);
  }
  topic(room: string, topic: string): void {
    this.calls.push(`topic ${room}: ${topic}`);
  }
  nickChanged(nick: string): void {
    this.calls.push(`nickChanged ${nick}`);
  }
  closed(reason: string): void {
    this.calls.push(`closed ${reason}`);
  }
}

/** A store whose history answers wait until `release` is called, to see what happens meanwhile. */
class SlowHistoryStore extends MemoryStore {
  readonly waiting: (() => void)[] = [];
  override history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    const d = new Deferred<void>();
    this.waiting.push(() => d.callback(undefined));
    return d.addCallback(() => super.history(roomKey, query));
  }
  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

let clock = 1_800_000_000_000;
function service(store = new MemoryStore()): WordsService {
  return createWordsService({ store, now: () => clock, scrypt: { N: 1024, r: 8, p: 1 } });
}

async function web(s: WordsService, nick: string, password?: string): Promise<{ session: WebChatSession; view: RecordingView }> {
  const view = new RecordingView();
  const session = new WebChatSession(s, view, {}, '192.0.2.7');
  assert.equal(await session.login(nick, password), null);
  return { session, view };
}

/** ann on the web in #lobby with bob, an IRC-side client, already there; both records start empty. */
async function annOnWebWithBob(): Promise<{ irc: RecordingClient; session: WebChatSession; view: RecordingView }> {
  const s = service();
  await s.start();
  const irc = new RecordingClient();
  const bob = await s.login('bob', { client: irc });
  bob.join('#lobby');
  const { session, view } = await web(s, 'ann');
  view.take();
  irc.take();
  return { irc, session, view };
}

describe('WebChatSession', () => {
  test('login shows the user, then the lobby with its scrollback and members', async () => {
    const s = service();
    await s.start();
    const bot = await s.login('bot', { client: new RecordingClient() });
    bot.join('#lobby');
    bot.send('#lobby', 'first');
    bot.send('#lobby', '\x01ACTION waves\x01');
    const { session, view } = await web(s, 'ann');
    assert.deepEqual(view.take(), ['loggedIn ann', 'roomJoined #lobby [first|waves] members=@bot,ann']);
    assert.equal(view.states[0]!.history[1]!.action, true);
    assert.equal(session.user?.host, '192.0.2.7');
  });

  test('lines that arrive while the scrollback loads come after it, without duplicates', async () => {
    const store = new SlowHistoryStore();
    const s = service(store);
    await s.start();
    const bot = await s.login('bot', { client: new RecordingClient() });
    bot.join('#lobby');
    bot.send('#lobby', 'before');
    const view = new RecordingView();
    const session = new WebChatSession(s, view);
    await session.login('ann');
    bot.send('#lobby', 'during');
    bot.setTopic('#lobby', 'new topic');
    assert.deepEqual(view.take(), ['loggedIn ann']);
    store.release();
    assert.deepEqual(view.take(), [
      'roomJoined #lobby [before|during] members=@bot,ann',
      'topic #lobby: new topic',
      'event #lobby: bot set the topic: new topic',
    ]);
    bot.send('#lobby', 'after');
    assert.deepEqual(view.take(), ['message #lobby bot: after']);
  });

  test('saying things: own lines are shown, others get them; commands join, part, msg, me, topic, nick', async () => {
    const { irc, session, view } = await annOnWebWithBob();
    assert.equal(await session.say('#lobby', 'hi\r\nthere'), null);
    assert.deepEqual(view.take(), ['message #lobby ann: hi there']);
    assert.deepEqual(irc.take(), ['privmsg ann->#lobby: hi there']);
    assert.equal(await session.say('#lobby', '/me dances'), null);
    assert.deepEqual(irc.take(), ['privmsg ann->#lobby: \x01ACTION dances\x01']);
    assert.deepEqual(view.take(), ['message #lobby ann *: dances']);
    assert.equal(await session.say('#lobby', '/msg bob psst'), null);
    assert.deepEqual(irc.take(), ['privmsg ann->bob: psst']);
    assert.deepEqual(view.take(), ['message (private) ann: psst']);
    assert.equal(await session.say('#lobby', '//slash'), null);
    assert.deepEqual(irc.take(), ['privmsg ann->#lobby: /slash']);
    view.take();
    assert.equal(await session.say('#lobby', '/join side'), null);
    assert.deepEqual(view.take(), ['roomJoined #side [] members=@ann']);
    assert.equal(await session.say('#side', '/topic our room'), null);
    assert.deepEqual(view.take(), ['topic #side: our room', 'event #side: ann set the topic: our room']);
    assert.equal(await session.say('#side', '/part bye'), null);
    assert.deepEqual(view.take(), ['roomLeft #side: ann left #side (bye)']);
    assert.equal(await session.say('#lobby', '/topic mine now'), "You're not channel operator");
    assert.match((await session.say('#lobby', '/frobnicate'))!, /^Unknown command \/frobnicate/);
    assert.equal(await session.say('#lobby', '/nick anna'), null);
    assert.deepEqual(view.take(), ['nickChanged anna', 'event (all): ann is now known as anna', 'members #lobby @bob,anna']);
    assert.deepEqual(irc.take(), ['nick ann->anna']);
  });

  test('a long line reaches IRC users whole: split between words into messages that fit an IRC line', async () => {
    const { irc, session, view } = await annOnWebWithBob();
    const words = Array.from({ length: 120 }, (_, i) => `wörd${i}`);
    assert.equal(await session.say('#lobby', words.join(' ')), null);
    assert.ok(irc.messages.length >= 3);
    for (const m of irc.messages) assert.ok(Buffer.byteLength(m.text) <= 400, `${Buffer.byteLength(m.text)} bytes`);
    assert.deepEqual(irc.messages.map((m) => m.text).join(' ').split(' '), words);
    assert.equal(view.take().length, irc.messages.length, 'the page shows each piece');
  });

  test('events from others: joins, parts, kicks, quits, modes', async () => {
    const s = service();
    await s.start();
    const bob = await s.login('bob', { client: new RecordingClient() });
    bob.join('#lobby');
    const { view } = await web(s, 'ann');
    view.take();
    const cy = await s.login('cy', { client: new RecordingClient() });
    cy.join('#lobby');
    bob.setModes('#lobby', [{ adding: true, mode: 'v', arg: 'cy' }]);
    cy.part('#lobby', 'brb');
    cy.join('#lobby');
    cy.quit('gone');
    bob.kick('#lobby', 'ann', 'out');
    assert.deepEqual(view.take(), [
      'event #lobby: cy joined #lobby',
      'members #lobby @bob,ann,cy',
      'event #lobby: bob set mode +v cy',
      'members #lobby @bob,ann,+cy',
      'event #lobby: cy left #lobby (brb)',
      'members #lobby @bob,ann',
      'event #lobby: cy joined #lobby',
      'members #lobby @bob,ann,cy',
      'quit cy: gone',
      'members #lobby @bob,ann',
      'roomLeft #lobby: ann was kicked from #lobby by bob (out)',
    ]);
  });

  test('refusals: taken nick, registered nick without or with a wrong password, registration rules', async () => {
    const s = service();
    await s.start();
    await s.login('taken', { client: new RecordingClient() });
    await s.register('owner', 'secret-pw');
    const view = new RecordingView();
    const session = new WebChatSession(s, view);
    assert.equal(await session.login('taken'), 'Nickname is already in use');
    assert.equal(await session.login('bad nick!'), 'Erroneous nickname');
    assert.match((await session.login('owner'))!, /password is needed/);
    assert.equal(await session.login('owner', 'nope'), 'Password incorrect');
    assert.match((await session.login('fresh', 'short', true))!, /at least 6 characters/);
    assert.equal(await session.login('owner', 'whatever', true), 'Account already exists');
    assert.equal(await session.login('taken', 'whatever', true), 'Nickname is already in use');
    assert.equal(await s.isRegistered('taken'), false);
    assert.deepEqual(view.take(), []);
    assert.equal(await session.login('fresh', 'long-enough', true), null);
    assert.equal(await s.isRegistered('fresh'), true);
    assert.equal(session.user?.account, 'fresh');
    assert.equal(await session.login('again'), 'Already logged in');
  });

  test('limits: overlong lines are refused, fast senders are slowed, the page ending logs the user out', async () => {
    const s = service();
    await s.start();
    const { session } = await web(s, 'ann');
    assert.match((await session.say('#lobby', 'x'.repeat(1001)))!, /at most 1000 characters/);
    let refused = 0;
    for (let i = 0; i < 20; i++) if ((await session.say('#lobby', `line ${i}`)) !== null) refused++;
    assert.equal(refused, 11, 'a burst of 10 (one already spent), then refusals');
    clock += 5000;
    assert.equal(await session.say('#lobby', 'later'), null);
    session.end();
    assert.equal(s.findUser('ann'), undefined);
    assert.equal(await session.login('ann'), 'This page is closed');
  });

  test('shutdown: the page is told and the session ends', async () => {
    const s = service();
    await s.start();
    const { view, session } = await web(s, 'ann');
    view.take();
    await s.stop('Server shutting down');
    assert.deepEqual(view.take(), ['closed Server shutting down']);
    assert.equal(session.user, undefined);
  });
});
