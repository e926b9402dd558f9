/**
 * The IRC front door against password guessing (PASS and SASL) and registration floods, and the owner of a
 * registered nick taking it back from a web page that just closed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REGAINED } from '../index.js';
import { WebChatSession } from '../web/session.js';
import { Harness, type FakeClient } from './test-support/harness.js';
import { eventually } from '../../testing/index.js';
import { closedOnlyView } from '../web/test-support/closed-view.js';

const GUESSER = '198.51.100.7';
const OWNER_HOST = '203.0.113.9';
/** Checked on every event-loop turn, for at most 5 s, so "at once" is bounded. */
const AT_ONCE = { timeout: 5, step: () => new Promise((r) => setImmediate(r)) };

function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}

/** One PASS guess from `host`, answered (the link closes either way). */
async function guess(h: Harness, host: string, password: string): Promise<string[]> {
  const c = h.connect(host).send(`PASS ${password}`, 'NICK owner', 'USER g 0 * :G');
  await eventually(() => c.closed, { ...AT_ONCE, message: 'the guess to be answered' });
  return c.lines();
}

describe('IRC password guessing', () => {
  test('the owner logs in first try from elsewhere while a guess is being checked', async () => {
    const h = new Harness();
    await h.service.register('owner', 'rightpass');
    const wrong = h.connect(GUESSER).send('PASS guess', 'NICK owner', 'USER g 0 * :G');
    const owner = h.connect(OWNER_HOST).send('PASS rightpass', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => owner.proto.registered || owner.closed || owner.transport.value().length > 0, { ...AT_ONCE, message: "the owner's answer" });
    const answer = owner.lines();
    assert.ok(owner.proto.registered, answer.join('\n'));
    assert.ok(answer[0].startsWith(':irc.test 001 owner '));
    await eventually(() => wrong.closed, { ...AT_ONCE, message: 'the guess to be answered' });
    assert.deepEqual(wrong.lines(), [':irc.test 464 owner :Password incorrect', `:irc.test ERROR :Closing Link: ${GUESSER} (Bad password)`]);
  });

  test('a PASS guessing loop waits longer and longer, unchecked meanwhile; the owner still gets in first try', async () => {
    const h = new Harness();
    await h.service.register('owner', 'rightpass');
    for (let i = 0; i < 3; i++) assert.equal((await guess(h, GUESSER, `guess${i}`))[0], ':irc.test 464 owner :Password incorrect');
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const refused = await guess(h, GUESSER, 'guess');
      const m = /^:irc\.test 464 owner :Too many failed logins: try again in (\d+) seconds?$/.exec(refused[0]);
      assert.ok(m, refused.join('\n'));
      assert.equal(refused[1], `:irc.test ERROR :Closing Link: ${GUESSER} (Too many failed logins)`);
      waits.push(Number(m[1]));
      h.clock.advance(Number(m[1]));
      assert.equal((await guess(h, GUESSER, 'guess'))[0], ':irc.test 464 owner :Password incorrect', 'checked after the delay');
    }
    assert.deepEqual(waits, [1, 2, 4, 8]);
    const owner = h.connect(OWNER_HOST).send('PASS rightpass', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => owner.proto.registered, { ...AT_ONCE, message: 'the owner to log in' });
  });

  test('SASL: the third failure on a connection gets 904 then ERROR and the link closed', async () => {
    const h = new Harness();
    await h.service.register('owner', 'rightpass');
    const c = h.connect(GUESSER).send('CAP LS 302', 'NICK guesser', 'USER g 0 * :G', 'CAP REQ :sasl');
    c.lines();
    for (let i = 1; i <= 3; i++) {
      c.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('owner', `guess${i}`)}`);
      await eventually(() => c.transport.valueString().includes(' 904 '), { ...AT_ONCE, message: `SASL failure ${i}` });
      const lines = c.lines();
      assert.deepEqual(lines.slice(0, 2), ['AUTHENTICATE +', ':irc.test 904 guesser :SASL authentication failed']);
      if (i < 3) assert.equal(c.closed, false, `still open after ${i} failures`);
      else assert.deepEqual(lines.slice(2), [`:irc.test ERROR :Closing Link: ${GUESSER} (Too many failed SASL attempts)`]);
    }
    assert.equal(c.closed, true);
    // The address is now throttled: the next connection's attempt is refused without a check.
    const next = h.connect(GUESSER).send('CAP LS 302', 'NICK guesser', 'USER g 0 * :G', 'CAP REQ :sasl');
    next.lines();
    next.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('owner', 'rightpass')}`);
    await eventually(() => next.transport.valueString().includes(' 904 '), { ...AT_ONCE, message: 'the refusal' });
    assert.match(next.lines()[1], /^:irc\.test 904 guesser :SASL authentication failed: Too many failed logins: try again in 1 second$/);
    const owner = h.connect(OWNER_HOST).send('CAP LS 302', 'NICK owner', 'USER o 0 * :O', 'CAP REQ :sasl');
    owner.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('owner', 'rightpass')}`);
    await eventually(() => owner.transport.valueString().includes(' 903 '), { ...AT_ONCE, message: 'the owner to authenticate first try' });
    owner.send('CAP END');
    await eventually(() => owner.proto.registered, { ...AT_ONCE, message: 'the owner to register' });
  });
});

describe('IRC account registration limits', () => {
  test('REGISTER: a few per connection, a few per address per hour, then FAIL TEMPORARILY_UNAVAILABLE', async () => {
    const h = new Harness({ flood: false }, { registration: { perConnection: 2, perAddress: 3, window: 3600 } });
    const c = h.connect(GUESSER).send('NICK r0', 'USER r 0 * :R');
    c.lines();
    const replies: string[] = [];
    for (let i = 0; i < 40; i++) {
      c.send(`NICK r${i + 1}`, 'REGISTER * * longenough');
      await eventually(() => c.transport.valueString().includes('REGISTER'), { ...AT_ONCE, message: `REGISTER reply ${i}` });
      replies.push(c.lines().find((l) => l.includes('REGISTER'))!);
    }
    assert.deepEqual(replies.slice(0, 3), [
      ':irc.test REGISTER SUCCESS r1 :Account r1 registered: use it with PASS or SASL',
      ':irc.test REGISTER SUCCESS r2 :Account r2 registered: use it with PASS or SASL',
      ':irc.test FAIL REGISTER TEMPORARILY_UNAVAILABLE r3 :Too many accounts registered from this connection',
    ]);
    assert.equal(new Set(replies.slice(2).map((l) => l.split(' ').slice(0, 4).join(' '))).size, 1, 'every later one refused');
    const other = h.connect(GUESSER).send('NICK s1', 'USER s 0 * :S', 'REGISTER * * longenough', 'NICK s2', 'REGISTER * * longenough');
    await eventually(() => other.transport.valueString().split('REGISTER').length > 2, { ...AT_ONCE, message: 'two replies' });
    assert.deepEqual(
      other
        .lines()
        .filter((l) => l.includes('REGISTER'))
        .sort(),
      [
        ':irc.test FAIL REGISTER TEMPORARILY_UNAVAILABLE s2 :Too many accounts registered from your address: try again in 60 minutes',
        ':irc.test REGISTER SUCCESS s1 :Account s1 registered: use it with PASS or SASL',
      ],
    );
    const elsewhere = h.connect(OWNER_HOST).send('NICK t1', 'USER t 0 * :T', 'REGISTER * * longenough');
    await eventually(() => elsewhere.transport.valueString().includes('REGISTER'), { ...AT_ONCE, message: 'the reply' });
    assert.ok(elsewhere.lines().some((l) => l.startsWith(':irc.test REGISTER SUCCESS t1 ')));
    assert.equal(await h.service.isRegistered('r3'), false);
  });
});

describe('IRC REGAIN: the owner takes the nick back at once', () => {
  /** `owner` logged in from a web page whose connection just dropped: the session stays for the grace period. */
  async function webOwner(h: Harness): Promise<{ session: WebChatSession; closed: string[] }> {
    await h.service.register('owner', 'rightpass');
    const { view, closed } = closedOnlyView();
    const session = new WebChatSession(h.service, view, {}, OWNER_HOST);
    assert.equal(await session.login('owner', 'rightpass'), null);
    return { session, closed };
  }

  test('PASS with the right password takes it from the web session; without one or with a wrong one, no', async () => {
    const h = new Harness();
    const { session, closed } = await webOwner(h);
    const none = h.connect().send('NICK owner', 'USER o 0 * :O');
    assert.deepEqual(none.lines(), [':irc.test 433 * owner :Nickname is already in use']);
    const wrong = h.connect().send('PASS guess', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => wrong.closed, { ...AT_ONCE, message: 'the wrong password to be answered' });
    assert.equal(wrong.lines()[0], ':irc.test 464 owner :Password incorrect');
    assert.equal(h.service.findUser('owner'), session.user);
    assert.deepEqual(closed, []);
    const right = h.connect().send('PASS rightpass', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => right.proto.registered, { ...AT_ONCE, message: 'the owner to get the nick' });
    assert.ok(right.lines()[0].startsWith(':irc.test 001 owner '));
    assert.deepEqual(closed, [REGAINED]);
    assert.equal(h.service.findUser('owner')?.client, right.proto);
  });

  test('SASL after NICK takes it too; another IRC session holding it is closed with ERROR', async () => {
    const h = new Harness();
    const { closed } = await webOwner(h);
    const sasl: FakeClient = h.connect().send('CAP LS 302', 'NICK owner', 'USER o 0 * :O', 'CAP REQ :sasl');
    sasl.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('owner', 'rightpass')}`);
    await eventually(() => sasl.transport.valueString().includes(' 903 '), { ...AT_ONCE, message: 'SASL success' });
    sasl.send('CAP END');
    await eventually(() => sasl.proto.registered, { ...AT_ONCE, message: 'the owner to get the nick' });
    assert.equal(sasl.proto.user?.nick, 'owner');
    assert.deepEqual(closed, [REGAINED]);
    sasl.lines();
    const again = h.connect().send('PASS rightpass', 'NICK owner', 'USER o 0 * :O');
    await eventually(() => again.proto.registered, { ...AT_ONCE, message: 'the second login' });
    assert.deepEqual(sasl.lines(), [`:irc.test ERROR :Closing Link: 127.0.0.1 (${REGAINED})`]);
    assert.equal(sasl.closed, true);
  });
});
