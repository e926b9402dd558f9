import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlreadyInRoomError,
  AuthenticationError,
  NotInRoomError,
  BadKeyError,
  CannotSendError,
  InvalidNickError,
  InvalidRoomError,
  InviteOnlyError,
  NickInUseError,
  NotOperatorError,
  RoomFullError,
  UserNotInRoomError,
  createWordsService,
  type ChatUser,
  type WordsService,
} from './index.js';
import { assertFailure, Clock } from '../testing/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import { defaultReactor } from '../time/default-reactor.js';
import { RecordingClient } from './test-support/recording-client.js';

const FAST = { N: 1024, r: 8, p: 1 };

async function setup(...nicks: string[]): Promise<{ service: WordsService; users: ChatUser[]; clients: RecordingClient[] }> {
  // Every reading of the time is a second later, so each line has a time of its own.
  const clock = new Clock();
  clock.advance(1000);
  const ticking: IReactorTime = { callLater: (s, f, ...a) => clock.callLater(s, f, ...a), getDelayedCalls: () => clock.getDelayedCalls(), seconds: () => (clock.advance(1), clock.seconds()) };
  const service = createWordsService({ scrypt: FAST, clock: ticking });
  await service.start();
  const clients: RecordingClient[] = [];
  const users: ChatUser[] = [];
  for (const nick of nicks) {
    const client = new RecordingClient();
    clients.push(client);
    users.push(await service.login(nick, { client }));
  }
  return { service, users, clients };
}

describe('WordsService login and nicks', () => {
  test('nicks are validated and unique regardless of case (RFC 1459 casemapping)', async () => {
    const { service } = await setup('Alice[1]');
    assert.ok((await assertFailure(service.login('1bad', { client: new RecordingClient() }))) instanceof InvalidNickError);
    assert.ok((await assertFailure(service.login('has space', { client: new RecordingClient() }))) instanceof InvalidNickError);
    assert.ok((await assertFailure(service.login('x'.repeat(31), { client: new RecordingClient() }))) instanceof InvalidNickError);
    const e = await assertFailure(service.login('alice{1}', { client: new RecordingClient() }));
    assert.ok(e instanceof NickInUseError);
    assert.equal((e as NickInUseError).code, 'TORSION_WORDS_NICK_IN_USE');
    assert.equal((e as NickInUseError).kind, 'NickInUse');
    assert.equal(service.findUser('ALICE[1]')?.nick, 'Alice[1]');
  });

  test('a registered nick needs its password; the right one logs in to the account', async () => {
    const { service } = await setup();
    await service.register('Owner', 'sesame');
    assert.equal(await service.isRegistered('owner'), true);
    assert.ok((await assertFailure(service.login('owner', { client: new RecordingClient() }))) instanceof AuthenticationError);
    assert.ok((await assertFailure(service.login('owner', { client: new RecordingClient(), password: 'nope' }))) instanceof AuthenticationError);
    const u = await service.login('OWNER', { client: new RecordingClient(), password: 'sesame' });
    assert.equal(u.account, 'Owner');
    assert.equal(u.nick, 'OWNER');
  });

  test('authenticate gives a VerifiedAccount that lets login take the nick without a password', async () => {
    const { service } = await setup();
    await service.register('sam', 'pw');
    assert.ok((await assertFailure(service.authenticate('sam', 'bad'))) instanceof AuthenticationError);
    assert.ok((await assertFailure(service.authenticate('nobody', 'pw'))) instanceof AuthenticationError);
    const account = await service.authenticate('SAM', 'pw');
    assert.equal(account.name, 'sam');
    const u = await service.login('sam', { client: new RecordingClient(), account });
    assert.equal(u.account, 'sam');
    const other = await service.login('guest', { client: new RecordingClient(), account });
    assert.equal(other.account, 'sam', 'an account may use an unregistered nick');
  });

  test('a wrong password being checked does not hold the nick: the owner logs in meanwhile', async () => {
    const { service } = await setup();
    await service.register('slow', 'pw');
    const guess = service.login('slow', { client: new RecordingClient(), password: 'guess', host: '198.51.100.1' });
    const owner = await service.login('SLOW', { client: new RecordingClient(), password: 'pw', host: '203.0.113.2' });
    assert.equal(owner.nick, 'SLOW');
    assert.ok((await assertFailure(guess)) instanceof AuthenticationError);
    assert.equal(service.findUser('slow'), owner);
  });

  test('a nick change tells the user and everyone sharing a room, once', async () => {
    const { service, users, clients } = await setup('a', 'b', 'c');
    users[0].join('#x');
    users[0].join('#y');
    users[1].join('#x');
    users[1].join('#y');
    clients.forEach((c) => c.take());
    await users[0].setNick('A2');
    assert.deepEqual(clients[0].take(), ['nick a->A2']);
    assert.deepEqual(clients[1].take(), ['nick a->A2']);
    assert.deepEqual(clients[2].take(), []);
    assert.equal(service.findUser('a2'), users[0]);
    assert.equal(service.findUser('a'), undefined);
    assert.equal(service.findRoom('#x')?.memberByKey('a2')?.user, users[0]);
    assert.ok((await assertFailure(users[0].setNick('b'))) instanceof NickInUseError);
    await service.register('taken', 'pw');
    assert.ok((await assertFailure(users[0].setNick('taken'))) instanceof AuthenticationError);
  });
});

describe('WordsService rooms', () => {
  test('join, messages to members but the sender, part; empty rooms vanish', async () => {
    const { service, users, clients } = await setup('a', 'b', 'c');
    const room = users[0].join('#Room')!;
    assert.equal(room.membership(users[0])?.operator, true, 'the first joiner is operator');
    users[1].join('#room');
    assert.deepEqual(clients[0].take(), ['join a #Room', 'join b #Room']);
    assert.deepEqual(clients[1].take(), ['join b #Room']);
    users[1].send('#ROOM', 'hello');
    assert.deepEqual(clients[0].take(), ['message b->#Room: hello']);
    assert.deepEqual(clients[1].take(), []);
    assert.deepEqual(clients[2].take(), [], 'non-members hear nothing');
    users[0].send('c', 'psst', { kind: 'notice' });
    assert.deepEqual(clients[2].take(), ['notice a->c: psst']);
    users[1].part('#room', 'bye');
    assert.deepEqual(clients[0].take(), ['part b #Room: bye']);
    assert.deepEqual(clients[1].take(), ['part b #Room: bye']);
    users[0].part('#room');
    assert.equal(service.findRoom('#room'), undefined);
    assert.throws(() => users[0].join('no-prefix'), InvalidRoomError);
  });

  test('a room line reaches every member but its sender through deliver, with no closure made per line', async () => {
    const { users, clients } = await setup('a', 'b', 'c');
    const room = users[0].join('#room')!;
    users[1].join('#room');
    users[2].join('#room');
    for (const c of clients) c.take();
    // A closure made per line is a new function each time, which V8 optimised the fan-out through again
    // and again: a line must not go through broadcast(fn) at all.
    room.broadcast = () => assert.fail('a room line went through broadcast');
    users[1].send('#room', 'one');
    users[1].send('#room', 'two');
    assert.deepEqual(clients[0].take(), ['message b->#room: one', 'message b->#room: two']);
    assert.deepEqual(clients[1].take(), []);
    assert.deepEqual(clients[2].take(), ['message b->#room: one', 'message b->#room: two']);
  });

  test('noOutsideMessages keeps outsiders out; moderated needs voice; topicLocked needs an operator for the topic', async () => {
    const { users, clients } = await setup('op', 'member', 'outsider');
    users[0].join('#r');
    users[1].join('#r');
    assert.throws(() => users[2].send('#r', 'hi'), CannotSendError);
    users[0].changeRoom('#r', [{ setting: 'noOutsideMessages', value: false }]);
    users[2].send('#r', 'from outside');
    assert.ok(clients[1].take().includes('message outsider->#r: from outside'));
    assert.throws(() => users[1].setTopic('#r', 'mine'), NotOperatorError);
    users[0].changeRoom('#r', [{ setting: 'moderated', value: true }]);
    assert.throws(() => users[1].send('#r', 'x'), CannotSendError);
    users[0].changeRoom('#r', [{ role: 'voice', nick: 'MEMBER', granted: true }]);
    users[1].send('#r', 'voiced');
    users[0].changeRoom('#r', [{ setting: 'topicLocked', value: false }]);
    users[1].setTopic('#r', 'ours');
    assert.deepEqual(clients[0].take().slice(-5), ['changed #r by op: moderated=true', 'changed #r by op: voice+member', 'message member->#r: voiced', 'changed #r by op: topicLocked=false', 'topic #r by member: ours']);
    assert.deepEqual(clients[1].take().slice(-1), ['topic #r by member: ours']);
  });

  test('inviteOnly needs an invitation (used once), a key the key, a limit room', async () => {
    const { users, clients } = await setup('op', 'b', 'c');
    users[0].join('#r');
    users[0].changeRoom('#r', [
      { setting: 'inviteOnly', value: true },
      { setting: 'key', value: 'sekrit' },
      { setting: 'limit', value: 2 },
    ]);
    assert.deepEqual(users[0].service.findRoom('#r')?.settings, { topicLocked: true, noOutsideMessages: true, inviteOnly: true, moderated: false, secret: false, key: 'sekrit', limit: 2 });
    assert.throws(() => users[1].join('#r', 'sekrit'), InviteOnlyError);
    assert.throws(() => users[1].invite('c', '#r'), NotInRoomError);
    assert.throws(() => users[0].invite('op', '#r'), AlreadyInRoomError);
    users[0].invite('b', '#r');
    assert.deepEqual(clients[1].take(), ['invited #r by op']);
    assert.throws(() => users[1].join('#r', 'wrong'), BadKeyError);
    users[1].join('#r', 'sekrit');
    users[0].invite('c', '#r');
    assert.throws(() => users[2].join('#r', 'sekrit'), RoomFullError);
    users[1].part('#r');
    assert.throws(() => users[1].join('#r', 'sekrit'), InviteOnlyError, 'the invitation was used');
  });

  test('only operators kick, change the room and (when invite-only) invite; kicks tell the kicked', async () => {
    const { users, clients } = await setup('op', 'b', 'c');
    users[0].join('#r');
    users[1].join('#r');
    assert.throws(() => users[1].kick('#r', 'op'), NotOperatorError);
    assert.throws(() => users[1].changeRoom('#r', [{ setting: 'moderated', value: true }]), NotOperatorError);
    assert.throws(() => users[0].kick('#r', 'c'), UserNotInRoomError);
    clients.forEach((c) => c.take());
    users[0].kick('#r', 'B', 'out');
    assert.deepEqual(clients[1].take(), ['kick b #r by op: out']);
    assert.deepEqual(clients[0].take(), ['kick b #r by op: out']);
    assert.equal(users[1].rooms.size, 0);
    users[0].changeRoom('#r', [{ role: 'operator', nick: 'op', granted: true }]);
    assert.deepEqual(clients[0].take(), [], 'a change that changes nothing is not announced');
  });

  test('quit tells each user sharing a room once', async () => {
    const { users, clients } = await setup('a', 'b', 'c');
    for (const r of ['#1', '#2']) {
      users[0].join(r);
      users[1].join(r);
    }
    clients.forEach((c) => c.take());
    users[0].quit('gone');
    assert.deepEqual(clients[1].take(), ['quit a: gone']);
    assert.deepEqual(clients[2].take(), []);
    assert.equal(users[0].online, false);
    users[0].quit('again');
  });

  test('away messages come back to private senders; history keeps room lines', async () => {
    const { service, users } = await setup('a', 'b');
    users[1].setAway('lunch');
    assert.equal(users[0].send('b', 'hi').away, 'lunch');
    users[0].join('#h');
    for (let i = 0; i < 5; i++) users[0].send('#h', `line ${i}`);
    const last = await users[0].history('#h', { limit: 3 });
    assert.deepEqual(last.map((m) => m.text), ['line 2', 'line 3', 'line 4']);
    assert.ok(last[0].id < last[1].id, 'ids increase');
    const before = await service.history('#H', { limit: 10, before: last[0].time });
    assert.deepEqual(before.map((m) => m.text), ['line 0', 'line 1']);
  });

  test('a stored line keeps at most maxStoredTagBytes of client tags (UTF-8), in order; members online get them all', async () => {
    const { service, users, clients } = await setup('a', 'b');
    users[0].join('#t');
    users[1].join('#t');
    const tags = { '+big': 'x'.repeat(4000), '+draft/reply': 'abc', '+é': 'ü'.repeat(200), '+more': 'y'.repeat(100) };
    const { stored } = users[0].send('#t', 'tagged', { tags });
    assert.equal(await stored, true);
    users[0].send('#t', 'only big', { tags: { '+big': 'x'.repeat(600) } });
    assert.deepEqual(clients[1].messages.map((m) => m.tags), [tags, { '+big': 'x'.repeat(600) }], 'relayed whole');
    const history = await service.history('#t', { limit: 10 });
    // 512 bytes: '+big' never fits; '+draft/reply' takes 17 and '+é' 405 (é and ü are two bytes each), so '+more' (107) does not.
    assert.deepEqual(history[0].tags, { '+draft/reply': 'abc', '+é': 'ü'.repeat(200) });
    assert.equal('tags' in history[1], false);
    assert.equal(users[0].send('b', 'private').stored, undefined, 'lines to one user are not stored');
  });

  test('times are the injected clock\'s seconds, to the millisecond, and a message id starts with its time', async () => {
    const clock = new Clock();
    clock.advance(1_800_000_000.2504);
    const service = createWordsService({ scrypt: FAST, clock });
    await service.start();
    await service.register('ann', 'secret');
    const client = new RecordingClient();
    const ann = await service.login('ann', { client, password: 'secret' });
    assert.equal(ann.signedOn, 1_800_000_000.25);
    assert.equal((await service.store.getAccount('ann'))?.created, 1_800_000_000.25);
    ann.join('#t');
    clock.advance(2);
    ann.send('#t', 'first');
    clock.advance(0.001);
    ann.send('#t', 'second');
    ann.send('#t', 'third');
    const [first, second, third] = await service.history('#t', { limit: 10 });
    assert.equal(first.time, 1_800_000_002.25);
    assert.equal(second.time, 1_800_000_002.251);
    assert.equal(parseInt(second.id.split('-')[0], 36) / 1000, second.time);
    assert.deepEqual([first.id.split('-')[1], second.id.split('-')[1], third.id.split('-')[1]], ['0', '0', '1'], 'counted within one millisecond');
    assert.equal(third.id.split('-')[0], second.id.split('-')[0]);
    assert.deepEqual((await service.history('#t', { limit: 10, after: first.time })).map((m) => m.text), ['second', 'third']);
    assert.deepEqual((await service.history('#t', { limit: 10, before: second.time })).map((m) => m.text), ['first']);
  });

  test('with no clock the service runs on the default reactor', () => {
    const service = createWordsService({ scrypt: FAST });
    assert.ok(Math.abs(service.now() - defaultReactor().seconds()) < 1, 'epoch seconds, not milliseconds');
  });

  test('stop disconnects every client', async () => {
    const { service, clients } = await setup('a', 'b');
    await service.stop('bye now');
    assert.deepEqual(clients[0].take(), ['disconnect: bye now']);
    assert.equal([...service.users()].length, 0);
  });
});
