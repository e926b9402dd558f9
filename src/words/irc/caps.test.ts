/**
 * IRCv3 on the IRC door: CAP REQ answered with exactly what was asked, and what each capability changes —
 * multi-prefix, userhost-in-names, extended-join, away-notify, invite-notify, setname, labeled-response —
 * plus TAGMSG and the 4,094-byte limit on a client's tag data.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../testing/index.js';
import { HeldStore } from '../test-support/held-store.js';
import { Harness, type FakeClient } from './test-support/harness.js';

/** A registered client that enabled `caps`. */
function withCaps(h: Harness, nick: string, caps: string): FakeClient {
  const c = h.connect().send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Real`, `CAP REQ :${caps}`, 'CAP END');
  const lines = c.lines();
  assert.ok(lines.includes(`:irc.test CAP * ACK :${caps}`), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes(' 001 ')));
  return c;
}

describe('IRC CAP negotiation', () => {
  test('one cap, two caps, one then another, and after registration: ACK repeats the request; LIST shows all', () => {
    const h = new Harness();
    const c = h.connect().send('CAP LS', 'USER foo foo foo :foo', 'NICK foo', 'CAP REQ :multi-prefix');
    assert.deepEqual(c.lines().slice(-1), [':irc.test CAP * ACK :multi-prefix']);
    c.send('CAP REQ :userhost-in-names away-notify');
    assert.deepEqual(c.lines(), [':irc.test CAP * ACK :userhost-in-names away-notify']);
    c.send('CAP REQ :foo multi-prefix bar');
    assert.deepEqual(c.lines(), [':irc.test CAP * NAK :foo multi-prefix bar'], 'a request with an unknown cap is refused whole');
    c.send('CAP END');
    assert.ok(c.lines().some((l) => l.includes(' 001 foo ')));
    c.send('CAP REQ :extended-join invite-notify account-notify chghost setname labeled-response');
    assert.deepEqual(c.lines(), [':irc.test CAP foo ACK :extended-join invite-notify account-notify chghost setname labeled-response']);
    c.send('CAP LIST');
    assert.deepEqual(c.lines(), [
      ':irc.test CAP foo LIST :multi-prefix userhost-in-names away-notify extended-join invite-notify account-notify chghost setname labeled-response',
    ]);
  });

  test('multi-prefix gives every prefix in NAMES, WHO and WHOIS; userhost-in-names gives nick!user@host in NAMES', () => {
    const h = new Harness();
    const op = h.register('op');
    op.send('JOIN #c', 'MODE #c +v op');
    const multi = withCaps(h, 'multi', 'multi-prefix');
    multi.send('JOIN #c');
    assert.ok(multi.lines().includes(':irc.test 353 multi = #c :@+op multi'));
    multi.send('WHO #c', 'WHOIS op');
    const replies = multi.lines();
    assert.ok(replies.includes(':irc.test 352 multi #c op 127.0.0.1 irc.test op H@+ :0 op Real'));
    assert.ok(replies.includes(':irc.test 319 multi op :@+#c'));
    const plain = h.register('plain');
    plain.send('NAMES #c');
    assert.deepEqual(plain.lines()[0], ':irc.test 353 plain = #c :@op multi', 'without the cap, the highest prefix only');
    const uhn = withCaps(h, 'uhn', 'userhost-in-names multi-prefix');
    uhn.send('NAMES #c');
    assert.deepEqual(uhn.lines()[0], ':irc.test 353 uhn = #c :@+op!op@127.0.0.1 multi!multi@127.0.0.1');
  });

  test('extended-join adds account and real name to JOIN; away-notify sends AWAY changes and the AWAY of a joiner', () => {
    const h = new Harness();
    const ext = withCaps(h, 'ext', 'extended-join away-notify');
    ext.send('JOIN #c');
    assert.equal(ext.lines()[0], ':ext!ext@127.0.0.1 JOIN #c * :ext Real');
    const plain = h.register('plain');
    plain.send('AWAY :gone fishing', 'JOIN #c');
    plain.lines();
    assert.deepEqual(ext.lines(), [':plain!plain@127.0.0.1 JOIN #c * :plain Real', ':plain!plain@127.0.0.1 AWAY :gone fishing']);
    plain.send('AWAY', 'AWAY :again', 'AWAY :again');
    assert.deepEqual(ext.lines(), [':plain!plain@127.0.0.1 AWAY', ':plain!plain@127.0.0.1 AWAY :again'], 'one AWAY per change');
    const other = h.register('other');
    other.send('JOIN #c');
    assert.ok(!other.lines().some((l) => l.includes(' AWAY ')), 'no AWAY lines without the cap');
  });

  test('extended-join shows the account of a logged-in user', async () => {
    const h = new Harness();
    await h.service.register('acct', 'sesame99');
    const ext = withCaps(h, 'ext', 'extended-join');
    ext.send('JOIN #c');
    ext.lines();
    const acct = h.connect().send('PASS sesame99', 'NICK acct', 'USER acct 0 * :Acct Real');
    await eventually(() => h.service.findUser('acct')?.account === 'acct', { message: 'the PASS login' });
    acct.send('JOIN #c');
    assert.deepEqual(ext.lines(), [':acct!acct@127.0.0.1 JOIN #c acct :Acct Real']);
  });

  test('invite-notify tells members with the cap about an invitation, not the inviter; setname relays SETNAME', () => {
    const h = new Harness();
    const op = h.register('op');
    op.send('JOIN #c');
    const watcher = withCaps(h, 'watcher', 'invite-notify setname');
    watcher.send('JOIN #c');
    const plain = h.register('plain');
    plain.send('JOIN #c');
    h.register('guest');
    for (const c of [op, watcher, plain]) c.lines();
    op.send('INVITE guest #c');
    assert.deepEqual(watcher.lines(), [':op!op@127.0.0.1 INVITE guest #c']);
    assert.deepEqual(plain.lines(), []);
    assert.deepEqual(op.lines(), [':irc.test 341 op guest #c']);
    plain.send('SETNAME :A New Name');
    assert.deepEqual(watcher.lines(), [':plain!plain@127.0.0.1 SETNAME :A New Name']);
    assert.deepEqual(plain.lines(), [], 'no SETNAME to a client without the cap');
    assert.equal(h.service.findUser('plain')?.realname, 'A New Name');
    watcher.send('SETNAME :Me Too', 'SETNAME :');
    assert.deepEqual(watcher.lines(), [
      ':watcher!watcher@127.0.0.1 SETNAME :Me Too',
      ':irc.test FAIL SETNAME INVALID_REALNAME :The real name must hold 1 to 100 characters',
    ]);
  });
});

describe('IRC labeled-response', () => {
  test('one reply carries the label; several come in a labeled batch; none gives a labeled ACK', () => {
    const h = new Harness();
    const c = withCaps(h, 'lab', 'batch labeled-response');
    c.send('@label=98765 PING adhoctestline');
    assert.deepEqual(c.lines(), ['@label=98765 :irc.test PONG irc.test :adhoctestline']);
    c.send('@label=98766 PONG adhoctestline');
    assert.deepEqual(c.lines(), ['@label=98766 :irc.test ACK']);
    c.send('@label=12345 JOIN #xyz');
    const lines = c.lines();
    const id = /^@label=12345 :irc\.test BATCH \+(\S+) labeled-response$/.exec(lines[0])?.[1];
    assert.ok(id, lines[0]);
    assert.deepEqual(lines.slice(1), [
      `@batch=${id} :lab!lab@127.0.0.1 JOIN #xyz`,
      `@batch=${id} :irc.test 353 lab = #xyz :@lab`,
      `@batch=${id} :irc.test 366 lab #xyz :End of /NAMES list`,
      `:irc.test BATCH -${id}`,
    ]);
    c.send('@label=deadbeef NONEXISTENT');
    assert.deepEqual(c.lines(), ['@label=deadbeef :irc.test 421 lab NONEXISTENT :Unknown command']);
    c.send('@label=abc NICK lab2');
    assert.deepEqual(c.lines(), ['@label=abc :lab!lab@127.0.0.1 NICK lab2'], 'the old nick is the source');
    c.send('@label=q QUIT :bye');
    assert.deepEqual(c.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Quit: bye)'], 'a closing link ends with its ERROR');
    assert.ok(c.closed);
  });

  test('without batch, each reply of a labeled command carries the label', () => {
    const h = new Harness();
    const c = withCaps(h, 'lab', 'labeled-response');
    c.send('@label=7 JOIN #xyz');
    const lines = c.lines();
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.startsWith('@label=7 :')), lines.join('\n'));
  });

  test('labels are ignored without the cap, and past 64 bytes', () => {
    const h = new Harness();
    const plain = h.register('plain');
    plain.send('@label=1 PING x');
    assert.deepEqual(plain.lines(), [':irc.test PONG irc.test :x']);
    const c = withCaps(h, 'lab', 'labeled-response');
    c.send(`@label=${'x'.repeat(65)} PING x`);
    assert.deepEqual(c.lines(), [':irc.test PONG irc.test :x']);
  });

  test('a labeled PRIVMSG to oneself with echo-message: the echo and the delivery share the batch', () => {
    const h = new Harness();
    const c = withCaps(h, 'foo', 'batch labeled-response echo-message');
    c.send('@label=12345 PRIVMSG foo :hi');
    const lines = c.lines();
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^@label=12345 :irc\.test BATCH \+\S+ labeled-response$/);
    assert.ok(lines.slice(1, 3).every((l) => /^@batch=\S+ :foo!foo@127\.0\.0\.1 PRIVMSG foo :hi$/.test(l)), lines.join('\n'));
  });

  test('a labeled channel line whose echo waits for the store: no ACK, the echo comes labeled once stored', () => {
    const store = new HeldStore();
    const h = new Harness({}, { store });
    const c = withCaps(h, 'foo', 'batch labeled-response echo-message');
    const other = h.register('other');
    c.send('JOIN #c');
    other.send('JOIN #c');
    c.lines();
    store.holdWrites = true;
    c.send('@label=777 PRIVMSG #c :stored first');
    assert.deepEqual(c.lines(), [], 'nothing yet: the reply is the echo');
    assert.deepEqual(other.lines().slice(-1), [':foo!foo@127.0.0.1 PRIVMSG #c :stored first']);
    store.writes[0].release();
    assert.deepEqual(c.lines(), ['@label=777 :foo!foo@127.0.0.1 PRIVMSG #c :stored first']);
  });
});

describe('IRC TAGMSG and client tags', () => {
  function room() {
    const h = new Harness();
    const alice = withCaps(h, 'alice', 'message-tags');
    const bob = withCaps(h, 'bob', 'message-tags echo-message');
    const carol = h.register('carol');
    const dave = withCaps(h, 'dave', 'server-time');
    for (const c of [alice, bob, carol, dave]) c.send('JOIN #test');
    for (const c of [alice, bob, carol, dave]) c.lines();
    return { h, alice, bob, carol, dave };
  }

  test('TAGMSG relays client-only tags to message-tags members (and the echo), nothing to others', () => {
    const { alice, bob, carol, dave } = room();
    bob.send('@+buzz=fizz\\:buzz;cat=dog;+steel=wootz TAGMSG #test');
    const [echo] = bob.lines();
    const [relayed] = alice.lines();
    assert.match(relayed, /^@\+buzz=fizz\\:buzz;\+steel=wootz;msgid=(\S+) :bob!bob@127\.0\.0\.1 TAGMSG #test$/);
    assert.equal(echo, relayed, 'the echo is the same line, msgid included');
    assert.deepEqual(carol.lines(), []);
    assert.deepEqual(dave.lines(), [], 'server-time alone does not get TAGMSG');
    carol.send('@+typing=active TAGMSG #test');
    assert.deepEqual(alice.lines(), [], 'TAGMSG from a client without message-tags is ignored');
    alice.send('@+typing=active TAGMSG bob', '@+x=1 TAGMSG nobody');
    assert.match(bob.lines()[0], /^@\+typing=active;msgid=\S+ :alice!alice@127\.0\.0\.1 TAGMSG bob$/);
    assert.deepEqual(alice.lines(), [':irc.test 401 alice nobody :No such nick/channel']);
  });

  test('TAGMSG obeys the room rules: a banned member gets 404', () => {
    const { alice, bob } = room();
    alice.send('MODE #test +b bob');
    alice.lines();
    bob.lines();
    bob.send('@+typing=active TAGMSG #test');
    assert.deepEqual(bob.lines(), [':irc.test 404 bob #test :Cannot send to channel']);
    assert.deepEqual(alice.lines(), []);
  });

  test('tag data up to 4,094 bytes is relayed whole; one byte more gets 417 and nothing is relayed', () => {
    const { alice, bob } = room();
    const atLimit = `@foo=bar;+baz=${'a'.repeat(4081)} TAGMSG #test`;
    assert.equal(atLimit.indexOf('TAGMSG'), 4096);
    alice.send(atLimit);
    assert.ok(bob.lines()[0].includes(`+baz=${'a'.repeat(4081)};`));
    alice.send(`@foo=bar;+baz=${'a'.repeat(4082)} TAGMSG #test`);
    assert.deepEqual(alice.lines(), [':irc.test 417 alice :Input line was too long']);
    const privmsg = `@foo=bar;+baz=${'a'.repeat(4082)} PRIVMSG #test ${'b'.repeat(495)}`;
    assert.equal(privmsg.length, 4096 + 510, 'within the line limit, over the client tag limit');
    alice.send(privmsg);
    assert.deepEqual(alice.lines(), [':irc.test 417 alice :Input line was too long']);
    assert.deepEqual(bob.lines(), []);
    alice.send(`PRIVMSG #test :${'c'.repeat(600)}`);
    assert.deepEqual(alice.lines(), [':irc.test 417 alice :Input line was too long'], 'an over-long line too');
  });
});
