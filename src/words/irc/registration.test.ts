import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './test-support/harness.js';
import { NICK_RULE } from '../index.js';
import { eventually } from '../../testing/index.js';

async function turns(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

describe('IRC server registration', () => {
  test('NICK + USER gives 001-004, ISUPPORT, LUSERS and the MOTD, in order', () => {
    const h = new Harness();
    const c = h.connect().send('NICK alice', 'USER al 0 * :Alice Liddell');
    const lines = c.lines();
    const codes = lines.map((l) => l.split(' ')[1]);
    assert.deepEqual(codes.slice(0, 4), ['001', '002', '003', '004']);
    assert.equal(lines[0], ':irc.test 001 alice :Welcome to the Torsion IRC Network alice!al@127.0.0.1');
    assert.ok(lines.some((l) => / 005 alice .*CASEMAPPING=rfc1459.*PREFIX=\(ov\)@\+/.test(l)));
    assert.ok(lines.some((l) => l.includes(' 005 ') && l.includes('CHATHISTORY=100')));
    assert.deepEqual(codes.slice(-3), ['375', '372', '376']);
    assert.ok(lines.includes(':irc.test 372 alice :- Hello from the tests'));
    assert.equal(h.service.findUser('ALICE')?.realname, 'Alice Liddell');
  });

  test('commands before registration get 451; bad nicks 432; taken nicks 433 and a second try works', () => {
    const h = new Harness();
    h.register('taken');
    const c = h.connect();
    c.send('JOIN #x');
    assert.deepEqual(c.lines(), [':irc.test 451 * :You have not registered']);
    c.send('NICK 9lives');
    assert.deepEqual(c.lines(), [`:irc.test 432 * 9lives :Erroneous nickname: ${NICK_RULE}`]);
    assert.match(NICK_RULE, /up to 30 .*letters.*digits.*not starting with a digit/);
    c.send('NICK TAKEN');
    assert.deepEqual(c.lines(), [':irc.test 433 * TAKEN :Nickname is already in use']);
    c.send('NICK');
    assert.deepEqual(c.lines(), [':irc.test 431 * :No nickname given']);
    c.send('USER u 0 * :U', 'NICK fresh');
    assert.ok(c.lines()[0].startsWith(':irc.test 001 fresh '));
    c.send('USER again 0 * :x');
    assert.deepEqual(c.lines(), [':irc.test 462 fresh :You may not reregister']);
    c.send('FROB');
    assert.deepEqual(c.lines(), [':irc.test 421 fresh FROB :Unknown command']);
    c.send('PRIVMSG');
    assert.deepEqual(c.lines(), [':irc.test 411 fresh :No recipient given (PRIVMSG)']);
    c.send('KICK #x');
    assert.deepEqual(c.lines(), [':irc.test 461 fresh KICK :Not enough parameters']);
  });

  test('CAP LS 302 / REQ / END: registration waits for END; NAK for unknown caps; tags on relayed lines', () => {
    const h = new Harness();
    const c = h.connect().send('CAP LS 302', 'NICK capper', 'USER c 0 * :C');
    assert.deepEqual(c.lines(), [
      ':irc.test CAP * LS :server-time message-tags batch echo-message sasl=PLAIN draft/chathistory draft/account-registration ' +
        'multi-prefix userhost-in-names away-notify account-notify extended-join invite-notify chghost setname labeled-response',
    ]);
    c.send('CAP REQ :server-time bogus');
    assert.deepEqual(c.lines(), [':irc.test CAP * NAK :server-time bogus']);
    c.send('CAP REQ :server-time message-tags echo-message');
    assert.deepEqual(c.lines(), [':irc.test CAP * ACK :server-time message-tags echo-message']);
    c.send('CAP LIST');
    assert.deepEqual(c.lines(), [':irc.test CAP * LIST :server-time message-tags echo-message']);
    assert.equal(h.service.findUser('capper'), undefined, 'not registered before CAP END');
    c.send('CAP END');
    assert.ok(c.lines()[0].startsWith(':irc.test 001 capper'));
    const b = h.register('plain');
    c.send('JOIN #t');
    b.send('JOIN #t');
    c.lines();
    b.lines();
    b.send('@+draft/reply=abc;secret=1 PRIVMSG #t :hi there');
    const [line] = c.lines();
    const time = new Date(h.clock.seconds() * 1000).toISOString();
    assert.match(line, new RegExp(`^@time=${time.replace(/\./g, '\\.')};msgid=\\S+ :plain!plain@127\\.0\\.0\\.1 PRIVMSG #t :hi there$`), 'no client tags from a sender without message-tags');
    c.send('@+draft/reply=xyz PRIVMSG #t :echoed back');
    const echo = c.lines();
    assert.equal(echo.length, 1);
    assert.match(echo[0], /^@\+draft\/reply=xyz;time=\S+;msgid=\S+ :capper!c@127\.0\.0\.1 PRIVMSG #t :echoed back$/);
    assert.deepEqual(b.lines(), [':capper!c@127.0.0.1 PRIVMSG #t :echoed back'], 'no tags for a client without caps');
  });

  test('PASS logs in to a registered nick; a wrong PASS gets 464 and the link closed; no PASS gets 433', async () => {
    const h = new Harness();
    await h.service.register('owner', 'letmein');
    const none = h.connect().send('NICK owner', 'USER o 0 * :O');
    await eventually(() => none.transport.value().length > 0, { step: turns, message: 'a reply without a password' });
    assert.deepEqual(none.lines(), [':irc.test 433 * owner :Nickname is registered (use PASS or SASL)']);
    const wrong = h.connect().send('PASS nope', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => wrong.closed, { step: turns, message: 'the wrong password to close the link' });
    assert.deepEqual(wrong.lines(), [':irc.test 464 owner :Password incorrect', ':irc.test ERROR :Closing Link: 127.0.0.1 (Bad password)']);
    const right = h.connect().send('PASS letmein', 'NICK Owner', 'USER o 0 * :O');
    await eventually(() => right.proto.registered, { step: turns, message: 'the right password to register' });
    assert.equal(right.proto.user?.account, 'owner');
    right.lines();
    right.send('WHOIS owner');
    assert.ok(right.lines().includes(':irc.test 330 Owner Owner owner :is logged in as'));
  });

  test('commands pipelined behind NICK/USER wait for a slow login (PASS) and then run in order', async () => {
    const h = new Harness();
    await h.service.register('piper', 'letmein');
    const c = h.connect().send('PASS letmein', 'NICK piper', 'USER p 0 * :P', 'JOIN #pipe', 'TOPIC #pipe :laid');
    await eventually(() => c.proto.registered, { step: turns, message: 'the login to finish' });
    const lines = c.lines();
    assert.ok(!lines.some((l) => l.includes(' 451 ')), lines.join('\n'));
    const welcome = lines.findIndex((l) => l.includes(' 001 piper '));
    const join = lines.findIndex((l) => l.startsWith(':piper!') && l.includes(' JOIN #pipe'));
    const topic = lines.findIndex((l) => l.startsWith(':piper!') && l.endsWith(' TOPIC #pipe :laid'));
    assert.ok(welcome >= 0 && welcome < join && join < topic, lines.join('\n'));
  });

  test('REGISTER (draft/account-registration) registers the nick in use; PASS then logs in to it', async () => {
    const h = new Harness();
    const c = h.register('newbie');
    c.send('REGISTER other * longenough', 'REGISTER * * short');
    assert.deepEqual(c.lines(), [
      ':irc.test FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK other :Register the nick you are using',
      ':irc.test FAIL REGISTER WEAK_PASSWORD newbie :The password needs at least 6 characters',
    ]);
    c.send('REGISTER * x@example.org longenough');
    await eventually(() => c.transport.value().length > 0, { step: turns, message: 'the REGISTER reply' });
    assert.deepEqual(c.lines(), [':irc.test REGISTER SUCCESS newbie :Account newbie registered: use it with PASS or SASL']);
    c.send('REGISTER newbie * longenough');
    await eventually(() => c.transport.value().length > 0, { step: turns, message: 'the second REGISTER reply' });
    assert.deepEqual(c.lines(), [':irc.test FAIL REGISTER ACCOUNT_EXISTS newbie :Account already exists']);
    c.send('QUIT');
    const again = h.connect().send('PASS longenough', 'NICK newbie', 'USER n 0 * :N');
    await eventually(() => again.proto.registered, { step: turns, message: 'login with the new account' });
    assert.equal(again.proto.user?.account, 'newbie');
  });

  test('SASL PLAIN against the account store: 900 + 903, then the registered nick is usable', async () => {
    const h = new Harness();
    await h.service.register('sasly', 's3cret');
    const c = h.connect().send('CAP LS 302', 'NICK sasly', 'USER s 0 * :S', 'CAP REQ :sasl');
    c.lines();
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.deepEqual(c.lines(), [':irc.test 908 sasly PLAIN :are available SASL mechanisms', ':irc.test 904 sasly :SASL authentication failed']);
    c.send('AUTHENTICATE PLAIN');
    assert.deepEqual(c.lines(), ['AUTHENTICATE +']);
    c.send(`AUTHENTICATE ${Buffer.from('\0sasly\0wrong').toString('base64')}`);
    await eventually(() => c.transport.value().length > 0, { step: turns, message: 'the SASL failure' });
    assert.deepEqual(c.lines(), [':irc.test 904 sasly :SASL authentication failed']);
    c.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${Buffer.from('sasly\0sasly\0s3cret').toString('base64')}`);
    await eventually(() => c.transport.valueString().includes(' 903 '), { step: turns, message: 'the SASL success' });
    assert.deepEqual(c.lines(), [
      'AUTHENTICATE +',
      ':irc.test 900 sasly sasly!s@127.0.0.1 sasly :You are now logged in as sasly',
      ':irc.test 903 sasly :SASL authentication successful',
    ]);
    c.send('CAP END');
    await eventually(() => c.proto.registered, { step: turns, message: 'registration after SASL' });
    assert.equal(c.proto.user?.account, 'sasly');
    c.send('AUTHENTICATE PLAIN');
    assert.ok(c.lines().includes(':irc.test 907 sasly :You have already authenticated using SASL'));
  });

  test('PING is answered; QUIT closes with ERROR and tells the channel', () => {
    const h = new Harness();
    const a = h.register('a');
    const b = h.register('b');
    a.send('PING :tok 1');
    assert.deepEqual(a.lines(), [':irc.test PONG irc.test :tok 1']);
    a.send('JOIN #q');
    b.send('JOIN #q');
    a.lines();
    b.lines();
    a.send('QUIT :see you');
    assert.deepEqual(a.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Quit: see you)']);
    assert.equal(a.closed, true);
    assert.deepEqual(b.lines(), [':a!a@127.0.0.1 QUIT :Quit: see you']);
    assert.equal(h.service.findUser('a'), undefined);
    assert.equal(h.factory.connections.size, 1);
  });
});
