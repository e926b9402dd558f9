/**
 * `WebChatSession` without a browser: what the page is told, in what order, for logins, rooms, scrollback,
 * commands and limits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { Clock } from '../../testing/index.js';
import { createWordsService, MemoryStore, type ChatMessage, type HistoryQuery, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { HeldStore } from '../test-support/held-store.js';
import type { IChatView, WebLine, WebMember, WebRoomState } from './interfaces.js';
import { HELP, NO_ROOM } from './commands.js';
import { NOT_STORED, WebChatSession } from './session.js';

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
  memberJoined(room: string, member: WebMember): void {
    this.calls.push(`joined ${room} ${member.prefix}${member.nick}`);
  }
  memberLeft(room: string, nick: string, text: string): void {
    this.calls.push(`left ${room} ${nick}: ${text}`);
  }
  memberChanged(room: string, member: WebMember): void {
    this.calls.push(`changed ${room} ${member.prefix}${member.nick}`);
  }
  quit(room: string | null, nick: string, reason: string): void {
    this.calls.push(`quit ${room ?? '(all)'} ${nick}: ${reason}`);
  }
  renamed(room: string | null, oldNick: string, newNick: string): void {
    this.calls.push(`renamed ${room ?? '(all)'} ${oldNick}->${newNick}`);
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

/**
 * The member lists a page holds, kept from the calls it gets the way the browser widget keeps them, and the
 * size of each call's arguments as JSON (what crosses the live connection).
 */
class MemberListView extends RecordingView {
  readonly lists = new Map<string, WebMember[]>();
  readonly sizes: number[] = [];
  constructor() {
    super();
    return new Proxy(this, {
      get: (target, name, receiver) => {
        const v = Reflect.get(target, name, receiver) as unknown;
        if (typeof v !== 'function' || typeof name !== 'string' || !(name in VIEW_METHODS)) return v;
        return (...args: unknown[]) => {
          target.sizes.push(JSON.stringify(args).length);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
  #rooms(room: string | null): WebMember[][] {
    return room === null ? [...this.lists.values()] : [this.lists.get(room)].filter((l) => l !== undefined);
  }
  override roomJoined(state: WebRoomState): void {
    super.roomJoined(state);
    this.lists.set(state.room, state.members.slice());
  }
  override memberJoined(room: string, member: WebMember): void {
    super.memberJoined(room, member);
    const list = this.lists.get(room);
    if (list && !list.some((m) => m.nick === member.nick)) list.push(member);
  }
  override memberLeft(room: string, nick: string, text: string): void {
    super.memberLeft(room, nick, text);
    for (const list of this.#rooms(room)) list.splice(0, list.length, ...list.filter((m) => m.nick !== nick));
  }
  override quit(room: string | null, nick: string, reason: string): void {
    super.quit(room, nick, reason);
    for (const list of this.#rooms(room)) list.splice(0, list.length, ...list.filter((m) => m.nick !== nick));
  }
  override renamed(room: string | null, oldNick: string, newNick: string): void {
    super.renamed(room, oldNick, newNick);
    for (const list of this.#rooms(room)) for (const m of list) if (m.nick === oldNick) m.nick = newNick;
  }
  override memberChanged(room: string, member: WebMember): void {
    super.memberChanged(room, member);
    for (const m of this.lists.get(room) ?? []) if (m.nick === member.nick) m.prefix = member.prefix;
  }
  /** The list of `room` as "prefix+nick" strings. */
  list(room: string): string[] {
    return (this.lists.get(room) ?? []).map((m) => m.prefix + m.nick);
  }
}
const VIEW_METHODS = Object.fromEntries(Object.getOwnPropertyNames(RecordingView.prototype).map((n) => [n, true]));

const clock = new Clock();
clock.advance(1_800_000_000);
function service(store = new MemoryStore()): WordsService {
  return createWordsService({ store, clock, scrypt: { N: 1024, r: 8, p: 1 } });
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
    bot.send('#lobby', 'waves', { kind: 'action' });
    const { session, view } = await web(s, 'ann');
    assert.deepEqual(view.take(), ['loggedIn ann', 'roomJoined #lobby [first|waves] members=@bot,ann']);
    assert.equal(view.states[0]!.history[1]!.action, true);
    assert.equal(session.user?.host, '192.0.2.7');
  });

  test('a page back after losing its node gets, per room it names, the lines after its last room number instead of the scrollback', async () => {
    const store = new MemoryStore();
    // A cluster's history: numbered lines, not quite stored in the room's order (two nodes store them).
    for (const [seq, text] of [[4, 'seen 1'], [6, 'seen 2'], [9, 'missed 2'], [7, 'missed 1'], [12, 'missed 3']] as const) {
      void store.appendMessage('#lobby', { id: `m${seq}`, time: 1_800_000_000 + seq, from: 'bot', to: '#lobby', text, kind: 'message', seq });
    }
    const s = service(store);
    await s.start();
    await s.login('bot', { client: new RecordingClient() }).then((bot) => bot.join('#lobby'));
    const view = new RecordingView();
    assert.equal(await new WebChatSession(s, view).login('ann', undefined, false, new Map([['#LOBBY', 6], ['#nowhere', 3]])), null);
    assert.deepEqual(view.take(), ['loggedIn ann', 'roomJoined #lobby [missed 1|missed 2|missed 3] members=@bot,ann']);
    assert.deepEqual(view.states[0]!.resumed, { after: 6, complete: true });
    assert.deepEqual(view.states[0]!.history.map((l) => l.seq), [7, 9, 12], 'each line with its number, for the next time');
    // A later showing of the room is the usual scrollback.
    const again = new RecordingView();
    const other = new WebChatSession(s, again);
    assert.equal(await other.login('cid'), null);
    assert.equal(again.states[0]!.history.length, 5);
    assert.equal(again.states[0]!.resumed, undefined);
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

  test('own room lines are shown once the store holds them, in order; a line that could not be stored says so', async () => {
    const store = new HeldStore();
    const s = service(store);
    await s.start();
    const irc = new RecordingClient();
    (await s.login('bob', { client: irc })).join('#lobby');
    const { session, view } = await web(s, 'ann');
    view.take();
    irc.take();
    store.holdWrites = true;
    assert.equal(await session.say('#lobby', 'one'), null);
    assert.equal(await session.say('#lobby', 'two'), null);
    assert.deepEqual(irc.take(), ['message ann->#lobby: one', 'message ann->#lobby: two'], 'the room gets lines at once');
    assert.deepEqual(view.take(), [], 'the sender sees nothing before the store holds it');
    store.writes[0]!.release();
    assert.deepEqual(view.take(), ['message #lobby ann: one']);
    store.writes[1]!.release(false);
    assert.deepEqual(view.take(), ['message #lobby ann: two', `event #lobby: ${NOT_STORED}`]);
    assert.equal(await session.say('#lobby', '/msg bob psst'), null);
    assert.deepEqual(view.take(), ['message (private) ann: psst'], 'private lines are not stored, so shown at once');
  });

  test('saying things: own lines are shown, others get them; commands join, part, msg, me, topic, nick', async () => {
    const { irc, session, view } = await annOnWebWithBob();
    assert.equal(await session.say('#lobby', 'hi\r\nthere'), null);
    assert.deepEqual(view.take(), ['message #lobby ann: hi there']);
    assert.deepEqual(irc.take(), ['message ann->#lobby: hi there']);
    assert.equal(await session.say('#lobby', '/me dances'), null);
    assert.deepEqual(irc.take(), ['action ann->#lobby: dances']);
    assert.deepEqual(view.take(), ['message #lobby ann *: dances']);
    assert.equal(await session.say('#lobby', '/msg bob psst'), null);
    assert.deepEqual(irc.take(), ['message ann->bob: psst']);
    assert.deepEqual(view.take(), ['message (private) ann: psst']);
    assert.equal(await session.say('#lobby', '//slash'), null);
    assert.deepEqual(irc.take(), ['message ann->#lobby: /slash']);
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
    assert.deepEqual(view.take(), ['nickChanged anna', 'renamed (all) ann->anna']);
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

  test('events from others: joins, parts, kicks, quits, roles', async () => {
    const s = service();
    await s.start();
    const bob = await s.login('bob', { client: new RecordingClient() });
    bob.join('#lobby');
    const { view } = await web(s, 'ann');
    view.take();
    const cy = await s.login('cy', { client: new RecordingClient() });
    cy.join('#lobby');
    bob.changeRoom('#lobby', [{ role: 'voice', nick: 'cy', granted: true }]);
    cy.part('#lobby', 'brb');
    cy.join('#lobby');
    cy.quit('gone');
    bob.kick('#lobby', 'ann', 'out');
    assert.deepEqual(view.take(), [
      'joined #lobby cy',
      'event #lobby: cy was given voice by bob',
      'changed #lobby +cy',
      'left #lobby cy: cy left #lobby (brb)',
      'joined #lobby cy',
      'quit (all) cy: gone',
      'roomLeft #lobby: ann was kicked from #lobby by bob (out)',
    ]);
  });

  test('membership changes reach a page as small changes, never as the whole member list', async () => {
    const s = service();
    await s.start();
    const crowd = [];
    for (let i = 0; i < 200; i++) {
      const u = await s.login(`member${i}`, { client: new RecordingClient() });
      u.join('#lobby');
      crowd.push(u);
    }
    const view = new MemberListView();
    const session = new WebChatSession(s, view);
    assert.equal(await session.login('ann'), null);
    assert.equal(view.list('#lobby').length, 201, 'the whole list once, on joining');
    view.take();
    view.sizes.length = 0;
    const cy = await s.login('cy', { client: new RecordingClient() });
    cy.join('#lobby');
    crowd[0]!.changeRoom('#lobby', [{ role: 'voice', nick: 'cy', granted: true }]);
    await cy.setNick('cyd');
    cy.part('#lobby', 'brb');
    cy.join('#lobby');
    cy.quit('gone');
    crowd[5]!.part('#lobby');
    assert.deepEqual(view.take(), [
      'joined #lobby cy',
      'event #lobby: cy was given voice by member0',
      'changed #lobby +cy',
      'renamed (all) cy->cyd',
      'left #lobby cyd: cyd left #lobby (brb)',
      'joined #lobby cyd',
      'quit (all) cyd: gone',
      'left #lobby member5: member5 left #lobby',
    ]);
    for (const size of view.sizes) assert.ok(size < 100, `a call of ${size} bytes`);
    const expected = ['@member0', ...crowd.slice(1).map((u) => u.nick).filter((n) => n !== 'member5'), 'ann'];
    assert.deepEqual(view.list('#lobby'), expected);
  });

  test('while a room\'s scrollback loads, joins, quits and nick changes there are kept in order after it', async () => {
    const store = new SlowHistoryStore();
    const s = service(store);
    await s.start();
    const bot = await s.login('bot', { client: new RecordingClient() });
    bot.join('#lobby');
    const view = new MemberListView();
    const session = new WebChatSession(s, view);
    await session.login('ann');
    const cy = await s.login('cy', { client: new RecordingClient() });
    cy.join('#lobby');
    cy.quit('gone');
    const dee = await s.login('dee', { client: new RecordingClient() });
    dee.join('#lobby');
    await dee.setNick('dan');
    assert.deepEqual(view.take(), ['loggedIn ann', 'quit (all) cy: gone', 'renamed (all) dee->dan']);
    store.release();
    assert.deepEqual(view.take(), ['roomJoined #lobby [] members=@bot,ann', 'joined #lobby cy', 'quit #lobby cy: gone', 'joined #lobby dee', 'renamed #lobby dee->dan']);
    assert.deepEqual(view.list('#lobby'), ['@bot', 'ann', 'dan']);
  });

  test('/help is shown as help, not as an error; a registration is confirmed', async () => {
    const s = service();
    await s.start();
    const { session, view } = await web(s, 'ann');
    view.take();
    assert.equal(await session.say('#lobby', '/help'), null);
    assert.deepEqual(view.take(), [`event #lobby: ${HELP}`]);
    const other = new RecordingView();
    assert.equal(await new WebChatSession(s, other).login('fresh', 'long-enough', true), null);
    assert.deepEqual(other.take(), ['loggedIn fresh', 'roomJoined #lobby [] members=@ann,fresh', 'event #lobby: Registered fresh: from now on this nick needs your password']);
  });

  test('in no room (none to land in, or the last one left), commands still work and lines get a hint', async () => {
    const s = service();
    await s.start();
    const view = new RecordingView();
    const session = new WebChatSession(s, view, { autoJoin: [] });
    assert.equal(await session.login('ann'), null);
    assert.equal(await session.say('', 'hello?'), NO_ROOM);
    assert.equal(await session.say('', '/topic hi'), NO_ROOM);
    assert.equal(await session.say('', '/help'), null);
    assert.equal(await session.say('', '/join #one'), null);
    assert.equal(await session.say('#one', '/part'), null);
    assert.equal(s.findRoom('#one'), undefined);
    assert.equal(await session.say('', '/part'), NO_ROOM);
    assert.deepEqual(view.take(), ['loggedIn ann', `event (all): ${HELP}`, 'roomJoined #one [] members=@ann', 'roomLeft #one: ann left #one']);
  });

  test('refusals: taken nick, registered nick without or with a wrong password, registration rules', async () => {
    const s = service();
    await s.start();
    await s.login('taken', { client: new RecordingClient() });
    await s.register('owner', 'secret-pw');
    const view = new RecordingView();
    const session = new WebChatSession(s, view);
    assert.equal(await session.login('taken'), 'Nickname is already in use');
    assert.equal(await session.login('bad nick!'), 'Erroneous nickname: use up to 30 characters: letters a-z (any case), digits and - _ [ ] \\ ` ^ { | }, not starting with a digit or -');
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
    clock.advance(5);
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
