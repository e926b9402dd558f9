/**
 * Queries and registration details as mature ircds answer them: WHO and +i, WHOWAS (314/312/369/406, counts,
 * no parameter), LUSERS with 265/266 and their maxima, TIME (391), INFO (371/374), USER with an empty real
 * name (461), a nick free at once after its owner quits, and KICK of several users.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './test-support/harness.js';

const codes = (lines: string[]): string[] => lines.map((l) => l.split(' ')[1]);

describe('IRC WHO and WHOWAS', () => {
  test('WHO hides +i users from masks of strangers, not from their exact nick nor from those sharing a channel', () => {
    const h = new Harness();
    const evan = h.register('evan');
    evan.send('MODE evan +i');
    const shiv = h.register('shivaram');
    shiv.send('WHO eva*');
    assert.deepEqual(shiv.lines(), [':irc.test 315 shivaram eva* :End of WHO list']);
    shiv.send('WHO evan');
    assert.deepEqual(codes(shiv.lines()), ['352', '315']);
    shiv.send('WHO idontexist');
    assert.deepEqual(shiv.lines(), [':irc.test 315 shivaram idontexist :End of WHO list']);
    evan.send('JOIN #test');
    shiv.send('JOIN #test');
    shiv.lines();
    shiv.send('WHO eva*');
    assert.deepEqual(codes(shiv.lines()), ['352', '315']);
  });

  test('WHOWAS lists earlier users of a nick, newest first, honouring positive, zero and negative counts', () => {
    const h = new Harness();
    const n1 = h.register('nick1');
    h.connect().send('NICK nick2', 'USER ident2 0 * :Realname', 'QUIT :bye');
    h.clock.advance(5);
    h.connect().send('NICK nick2', 'USER ident3 0 * :Realname', 'QUIT :bye');
    const when = (seconds: number): string => new Date(seconds * 1000).toUTCString();
    const now = h.clock.seconds();
    const both = [
      ':irc.test 314 nick1 nick2 ident3 127.0.0.1 * :Realname',
      `:irc.test 312 nick1 nick2 irc.test :${when(now)}`,
      ':irc.test 314 nick1 nick2 ident2 127.0.0.1 * :Realname',
      `:irc.test 312 nick1 nick2 irc.test :${when(now - 5)}`,
      ':irc.test 369 nick1 nick2 :End of WHOWAS',
    ];
    for (const [cmd, asked] of [['WHOWAS nick2', 'nick2'], ['WHOWAS nick2 2', 'nick2'], ['WHOWAS nick2 0', 'nick2'], ['WHOWAS nick2 -1', 'nick2'], ['WHOWAS NICK2 10', 'NICK2'], ['WHOWAS *ck2', '*ck2']]) {
      n1.send(cmd);
      assert.deepEqual(n1.lines(), [...both.slice(0, 4), `:irc.test 369 nick1 ${asked} :End of WHOWAS`], cmd);
    }
    n1.send('WHOWAS nick2 1');
    assert.deepEqual(n1.lines(), [...both.slice(0, 2), both[4]]);
  });

  test('WHOWAS: 406 then 369 for a nick nobody used; 431 without a nick; a nick change is remembered too', () => {
    const h = new Harness();
    const n1 = h.register('nick1');
    n1.send('WHOWAS nick2');
    assert.deepEqual(n1.lines(), [':irc.test 406 nick1 nick2 :There was no such nickname', ':irc.test 369 nick1 nick2 :End of WHOWAS']);
    n1.send('WHOWAS');
    assert.deepEqual(n1.lines(), [':irc.test 431 nick1 :No nickname given']);
    n1.send('NICK renamed', 'WHOWAS nick1');
    assert.deepEqual(codes(n1.lines()), ['NICK', '314', '312', '369']);
  });

  test('the service keeps a bounded number of WHOWAS entries, per nick and in all', () => {
    const h = new Harness({}, { whowas: { perNick: 2, maxEntries: 3 } });
    for (const nick of ['a', 'a', 'a', 'b', 'c']) {
      h.clock.advance(1);
      h.register(nick).send('QUIT');
    }
    assert.equal(h.service.whowas('a').length, 1, 'the oldest entries of all went first');
    assert.equal(h.service.departed.size, 3);
    assert.deepEqual(
      h.service.whowas('*').map((e) => e.nick),
      ['c', 'b', 'a'],
    );
  });
});

describe('IRC LUSERS, TIME and INFO', () => {
  test('LUSERS: 251-255 and 265/266 with current and most users; 253 counts connections not registered', () => {
    const h = new Harness();
    const bar = h.register('bar');
    bar.send('LUSERS');
    assert.deepEqual(bar.lines(), [
      ':irc.test 251 bar :There are 1 users and 0 invisible on 1 servers',
      ':irc.test 254 bar 0 :channels formed',
      ':irc.test 255 bar :I have 1 clients and 0 servers',
      ':irc.test 265 bar 1 1 :Current local users 1, max 1',
      ':irc.test 266 bar 1 1 :Current global users 1, max 1',
    ]);
    const qux = h.register('qux');
    const pending = h.connect().send('NICK pending');
    qux.send('QUIT');
    bar.send('LUSERS');
    assert.deepEqual(bar.lines(), [
      ':irc.test 251 bar :There are 1 users and 0 invisible on 1 servers',
      ':irc.test 253 bar 1 :unknown connection(s)',
      ':irc.test 254 bar 0 :channels formed',
      ':irc.test 255 bar :I have 1 clients and 0 servers',
      ':irc.test 265 bar 1 2 :Current local users 1, max 2',
      ':irc.test 266 bar 1 2 :Current global users 1, max 2',
    ]);
    assert.ok(!pending.closed);
  });

  test('TIME answers 391 with the server time; INFO 371 lines then 374; 402 for another server', () => {
    const h = new Harness();
    const u = h.register('user');
    u.send('TIME');
    assert.deepEqual(u.lines(), [`:irc.test 391 user irc.test :${new Date(h.clock.seconds() * 1000).toUTCString()}`]);
    u.send('INFO');
    const info = u.lines();
    assert.ok(info.length >= 2);
    assert.deepEqual(codes(info), [...info.slice(0, -1).map(() => '371'), '374']);
    u.send('INFO *.test', 'TIME elsewhere.example');
    const replies = u.lines();
    assert.equal(codes(replies).at(-1), '402');
    assert.equal(replies.at(-1), ':irc.test 402 user elsewhere.example :No such server');
  });
});

describe('IRC registration and kicks', () => {
  test('USER with an empty real name (or user name) gets 461, not a welcome', () => {
    const h = new Harness();
    const c = h.connect().send('NICK foo', 'USER username * * :');
    assert.deepEqual(c.lines(), [':irc.test 461 foo USER :Not enough parameters']);
    c.send('USER  * * :Real');
    assert.deepEqual(codes(c.lines()), ['461']);
    c.send('USER username * * :Real');
    assert.equal(codes(c.lines())[0], '001');
  });

  test('a nick is free again right after its owner quits, registered or not, in any case', () => {
    const h = new Harness();
    h.register('alice').send('QUIT');
    const two = h.connect().send('NICK alice', 'USER u s e :r');
    assert.equal(codes(two.lines())[0], '001');
    two.send('QUIT');
    assert.ok(two.closed);
    const three = h.connect().send('NICK ALICE', 'USER u s e :r');
    assert.equal(codes(three.lines())[0], '001');
    h.connect().send('NICK bob', 'QUIT');
    assert.equal(codes(h.connect().send('NICK bob', 'USER u s e :r').lines())[0], '001');
    h.register('carol').send('NICK malice');
    assert.equal(codes(h.connect().send('NICK carol', 'USER u s e :r').lines())[0], '001', 'a nick given up by NICK is free too');
  });

  test('KICK of several users, in one channel or paired channels, sends exactly one KICK per user', () => {
    for (const line of ['KICK #chan bar,baz :bye', 'KICK #chan,#chan bar,baz :bye']) {
      const h = new Harness();
      const [foo, bar, baz, qux] = ['foo', 'bar', 'baz', 'qux'].map((n) => h.register(n));
      for (const c of [foo, bar, baz, qux]) c.send('JOIN #chan');
      for (const c of [foo, bar, baz, qux]) c.lines();
      foo.send(line);
      const expected = [':foo!foo@127.0.0.1 KICK #chan bar :bye', ':foo!foo@127.0.0.1 KICK #chan baz :bye'];
      assert.deepEqual(qux.lines(), expected, line);
      assert.deepEqual(foo.lines(), expected, line);
      assert.equal(h.service.findRoom('#chan')?.size, 2);
    }
  });

  test('KICK with more channels than users, or different ones, pairs them in order', () => {
    const h = new Harness();
    const foo = h.register('foo');
    const bar = h.register('bar');
    foo.send('JOIN #a', 'JOIN #b');
    bar.send('JOIN #a', 'JOIN #b');
    foo.lines();
    foo.send('KICK #a,#b bar,bar :out');
    assert.deepEqual(foo.lines(), [':foo!foo@127.0.0.1 KICK #a bar :out', ':foo!foo@127.0.0.1 KICK #b bar :out']);
  });
});
