/**
 * The service's moderation model, protocol-neutral: masks, room lists (bans, ban exceptions, invite
 * exceptions) and secret rooms, server operators (login against hashed accounts, kill, announcements),
 * departed nicks (WHOWAS), the most users online, signals (tags without text), and the optional events
 * (away, real name, invitations) front doors may show.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthenticationError,
  BannedError,
  CannotSendError,
  InviteOnlyError,
  ListFullError,
  NoOperatorAccountError,
  NoPrivilegesError,
  NoSuchUserError,
  createWordsService,
  hashPassword,
  maskMatches,
  normalizeMask,
  type ChatUser,
  type WordsServiceOptions,
} from './index.js';
import { assertFailure, Clock } from '../testing/index.js';
import { RecordingClient } from './test-support/recording-client.js';

const FAST = { N: 1024, r: 8, p: 1 };

async function setup(options: WordsServiceOptions, ...nicks: string[]) {
  const clock = new Clock();
  clock.advance(1000);
  const service = createWordsService({ scrypt: FAST, clock, ...options });
  await service.start();
  const clients: RecordingClient[] = [];
  const users: ChatUser[] = [];
  for (const nick of nicks) {
    const client = new RecordingClient();
    clients.push(client);
    users.push(await service.login(nick, { client, username: `~${nick}`, host: `${nick}.example` }));
  }
  return { service, clock, users, clients };
}

describe('masks', () => {
  test('partial masks are completed; unusable ones refused; matching folds case and honours * and ?', () => {
    assert.equal(normalizeMask('bar'), 'bar!*@*');
    assert.equal(normalizeMask('*@host'), '*!*@host');
    assert.equal(normalizeMask('nick!user'), 'nick!user@*');
    assert.equal(normalizeMask('!@'), '*!*@*');
    for (const bad of ['', 'a b', 'a,b', 'x\u0001', ':x', 'x'.repeat(201)]) assert.equal(normalizeMask(bad), undefined, JSON.stringify(bad));
    const bob = { nick: 'Bob[1]', username: '~bob', host: 'h.example' };
    assert.ok(maskMatches('bob{1}!*@*', bob));
    assert.ok(maskMatches('b?b*!~*@*.EXAMPLE', bob));
    assert.ok(!maskMatches('bob!*@*', bob));
    assert.ok(!maskMatches('*!*@h.example.org', bob), 'no partial match');
    assert.ok(maskMatches('*!*@*', bob) && maskMatches('**b*1*!*', bob));
  });

  test('a mask built to make a backtracking matcher take exponential time matches at once', () => {
    const mask = `${'*a'.repeat(60)}!*@*`;
    const subject = { nick: 'a'.repeat(30), username: 'a'.repeat(16), host: `${'a'.repeat(50)}b` };
    const started = performance.now();
    for (let i = 0; i < 100; i++) assert.equal(maskMatches(mask, subject), false);
    assert.ok(performance.now() - started < 2000, 'not frozen');
  });
});

describe('room lists and secret rooms', () => {
  test('a ban keeps a matching user out and silent; an exception or an invitation lets them past', async () => {
    const { users, clients } = await setup({}, 'op', 'eve', 'ann');
    const [op, eve, ann] = users;
    op.join('#r');
    eve.join('#r');
    op.changeRoom('#r', [{ list: 'bans', mask: '*!*@eve.example', added: true }]);
    assert.ok(clients[1].take().includes('changed #r by op: bans+*!*@eve.example'));
    assert.throws(() => eve.send('#r', 'hi'), CannotSendError);
    eve.part('#r');
    assert.throws(() => eve.join('#r'), BannedError);
    op.changeRoom('#r', [{ list: 'banExceptions', mask: 'EVE', added: true }]);
    assert.equal(eve.join('#r')?.name, '#r');
    eve.send('#r', 'back');
    op.changeRoom('#r', [{ list: 'bans', mask: 'ann', added: true }]);
    assert.throws(() => ann.join('#r'), BannedError);
    op.invite('ann', '#r');
    ann.join('#r');
    assert.equal(ann.rooms.size, 1);
  });

  test('an invite exception opens an invite-only room to matching users; lists are bounded; list entries know who and when', async () => {
    const { service, clock, users } = await setup({ maxRoomListEntries: 2 }, 'op', 'friend', 'stranger');
    const [op, friend, stranger] = users;
    op.join('#r');
    op.changeRoom('#r', [
      { setting: 'inviteOnly', value: true },
      { list: 'inviteExceptions', mask: 'friend!*@*', added: true },
    ]);
    friend.join('#r');
    assert.throws(() => stranger.join('#r'), InviteOnlyError);
    const refused: string[] = [];
    const applied = op.changeRoom(
      '#r',
      [
        { list: 'inviteExceptions', mask: 'a', added: true },
        { list: 'inviteExceptions', mask: 'b', added: true },
        { list: 'bans', mask: 'c', added: true },
      ],
      (c, e) => refused.push(`${e.kind}:${'list' in c ? c.mask : ''}`),
    );
    assert.deepEqual(refused, ['ListFull:b']);
    assert.equal(applied.length, 2);
    assert.deepEqual(service.findRoom('#r')?.lists.inviteExceptions, [
      { mask: 'friend!*@*', setBy: 'op', setAt: clock.seconds() },
      { mask: 'a!*@*', setBy: 'op', setAt: clock.seconds() },
    ]);
    const e = assertThrows(() => op.changeRoom('#r', [{ list: 'inviteExceptions', mask: 'z', added: true }]));
    assert.ok(e instanceof ListFullError && e.list === 'inviteExceptions' && e.code === 'TORSION_WORDS_LIST_FULL');
  });

  test('a role for a nick nobody uses is NoSuchUser; secret is a flag like the others', async () => {
    const { service, users } = await setup({}, 'op');
    users[0].join('#r');
    assert.throws(() => users[0].changeRoom('#r', [{ role: 'voice', nick: 'ghost', granted: true }]), NoSuchUserError);
    users[0].changeRoom('#r', [{ setting: 'secret', value: true }]);
    assert.equal(service.findRoom('#r')?.settings.secret, true);
  });
});

describe('server operators', () => {
  test('operator accounts hold hashes; a wrong password or unknown name is refused; an operator kills and announces', async () => {
    const passwordHash = await hashPassword('root-pass', FAST);
    const { service, users, clients } = await setup({ operators: [{ name: 'Root', passwordHash }] }, 'admin', 'victim', 'peer', 'listener');
    const [admin, , peer, listener] = users;
    assert.throws(() => admin.kill('victim'), NoPrivilegesError);
    assert.ok((await assertFailure(service.operatorLogin(admin, 'root', 'nope'))) instanceof AuthenticationError);
    assert.ok((await assertFailure(service.operatorLogin(admin, 'nobody', 'root-pass'))) instanceof NoOperatorAccountError);
    assert.equal(admin.serverOperator, undefined);
    assert.equal(await service.operatorLogin(admin, 'ROOT', 'root-pass'), 'Root');
    assert.equal(admin.serverOperator, 'Root');

    users[1].join('#r');
    peer.join('#r');
    clients[1].take();
    clients[2].take();
    admin.kill('victim', 'spam');
    assert.deepEqual(clients[1].take(), ['disconnect: Killed (admin (spam))']);
    assert.deepEqual(clients[2].take(), ['quit victim: Killed (admin (spam))']);
    assert.equal(service.findUser('victim'), undefined);

    listener.hearsAnnouncements = true;
    admin.announce('maintenance at noon');
    assert.deepEqual(clients[3].take(), ['announcement by admin: maintenance at noon']);
    assert.deepEqual(clients[2].take(), []);
    assert.throws(() => peer.announce('me too'), NoPrivilegesError);
  });
});

describe('departed users and counts', () => {
  test('WHOWAS entries come from quits and nick changes, newest first, bounded per nick and in all; the peak stays', async () => {
    const { service, clock, users } = await setup({ whowas: { perNick: 2, maxEntries: 4 } }, 'a', 'b', 'c');
    assert.equal(service.peakUsers, 3);
    await users[0].setNick('a2');
    clock.advance(1);
    users[0].quit();
    users[1].quit();
    assert.deepEqual(
      service.whowas('a*').map((e) => `${e.nick} ${e.username}@${e.host}`),
      ['a2 ~a@a.example', 'a ~a@a.example'],
    );
    assert.equal(service.userCount, 1);
    assert.equal(service.peakUsers, 3);
    for (let i = 0; i < 3; i++) {
      const u = await service.login('b', { client: new RecordingClient(), realname: `B${i}` });
      clock.advance(1);
      u.quit();
    }
    assert.deepEqual(
      service.whowas('b').map((e) => e.realname),
      ['B2', 'B1'],
    );
    assert.deepEqual(service.whowas('b', 1).map((e) => e.realname), ['B2']);
    assert.equal(service.departed.size, 4);
  });
});

describe('signals and optional events', () => {
  test('a signal reaches members (not the sender) and is not stored; rules apply', async () => {
    const { service, users, clients } = await setup({}, 'a', 'b', 'c');
    users[0].join('#r');
    users[1].join('#r');
    clients.forEach((c) => c.take());
    const s = users[1].sendSignal('#r', { '+typing': 'active' });
    assert.deepEqual(clients[0].take(), ['signal b->#r: +typing=active']);
    assert.deepEqual(clients[1].take(), []);
    assert.match(s.id, /\S/);
    assert.deepEqual(await service.history('#r', { limit: 10 }), []);
    assert.throws(() => users[2].sendSignal('#r', {}), CannotSendError);
    users[2].sendSignal('a', { '+react': 'x' });
    assert.deepEqual(clients[0].take(), ['signal c->a: +react=x']);
  });

  test('away and real name changes reach peers once per change; an invitation reaches the members but the inviter', async () => {
    const { users, clients } = await setup({}, 'a', 'b', 'c');
    users[0].join('#r');
    users[1].join('#r');
    clients.forEach((c) => c.take());
    users[1].setAway('lunch');
    users[1].setAway('lunch');
    users[1].setAway(undefined);
    assert.deepEqual(clients[0].take(), ['away b: lunch', 'back b']);
    assert.deepEqual(clients[1].take(), []);
    users[1].setRealname('Bee\r\nSmith');
    assert.deepEqual(clients[0].take(), ['realname b: Bee  Smith']);
    assert.deepEqual(clients[1].take(), ['realname b: Bee  Smith']);
    users[0].invite('c', '#r');
    assert.deepEqual(clients[1].take(), ['a invited c to #r']);
    assert.deepEqual(clients[0].take(), []);
    assert.deepEqual(clients[2].take(), ['invited #r by a']);
  });
});

function assertThrows(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a throw' });
}
