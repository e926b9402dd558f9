/**
 * Free text holding a bare CR or a NUL — in a PART, KICK or QUIT reason, a TOPIC, an AWAY message, a USER
 * real name — from an IRC client or from the web chat: IRC users are still told (the service scrubs the text
 * where it enters), where the IRC formatter used to refuse the line and the event went unseen.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebChatSession } from '../web/index.js';
import type { IChatView } from '../web/index.js';
import { Harness } from './test-support/harness.js';

/** A web page that ignores what it is told: only what IRC users see matters here. */
const blindView = new Proxy({} as IChatView, { get: () => () => undefined });

function roomOfThree() {
  const h = new Harness();
  const op = h.register('op');
  const bob = h.register('bob');
  const eve = h.register('eve');
  for (const c of [op, bob, eve]) c.send('JOIN #room');
  for (const c of [op, bob, eve]) c.lines();
  return { h, op, bob, eve };
}

describe('free text with CR or NUL reaches IRC users', () => {
  test('PART and QUIT reasons with a bare CR', () => {
    const { op, bob, eve } = roomOfThree();
    bob.send('PART #room :gone\rJOIN #evil');
    assert.deepEqual(eve.lines(), [':bob!bob@127.0.0.1 PART #room :gone JOIN #evil']);
    assert.deepEqual(bob.lines(), [':bob!bob@127.0.0.1 PART #room :gone JOIN #evil']);
    eve.send('QUIT :off\rline');
    assert.deepEqual(op.lines(), [':bob!bob@127.0.0.1 PART #room :gone JOIN #evil', ':eve!eve@127.0.0.1 QUIT :Quit: off line']);
    assert.deepEqual(eve.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Quit: off line)']);
  });

  test('a KICK reason with NUL is seen by the room and the kicked user', () => {
    const { op, bob, eve } = roomOfThree();
    op.send('KICK #room bob :bad\0bot');
    const kick = ':op!op@127.0.0.1 KICK #room bob :bad bot';
    assert.deepEqual(op.lines(), [kick]);
    assert.deepEqual(bob.lines(), [kick]);
    assert.deepEqual(eve.lines(), [kick]);
  });

  test('a TOPIC with NUL and CR is relayed, and joiners get it as 332', () => {
    const { h, op, eve } = roomOfThree();
    op.send('TOPIC #room :news\0of\rtoday');
    assert.deepEqual(eve.lines(), [':op!op@127.0.0.1 TOPIC #room :news of today']);
    const late = h.register('late');
    late.send('JOIN #room');
    assert.ok(late.lines().includes(':irc.test 332 late #room :news of today'));
  });

  test('an AWAY message and a USER real name with NUL show in 301 and WHOIS', () => {
    const { h, bob, eve } = roomOfThree();
    bob.send('AWAY :at\0lunch');
    bob.lines();
    eve.send('PRIVMSG bob :hi');
    assert.deepEqual(eve.lines(), [':irc.test 301 eve bob :at lunch']);
    const odd = h.connect().send('NICK odd', 'USER odd 0 * :Real\0Name\rHere');
    assert.ok(odd.lines().some((l) => l.includes(' 001 ')));
    eve.send('WHOIS odd');
    assert.ok(eve.lines().includes(':irc.test 311 eve odd odd 127.0.0.1 * :Real Name Here'));
  });

  test('from the web chat: /part and /topic with NUL reach the IRC user in the room', async () => {
    const { h, eve } = roomOfThree();
    const page = new WebChatSession(h.service, blindView, { autoJoin: [] });
    assert.equal(await page.login('ann'), null);
    assert.equal(await page.say('', '/join #room'), null);
    assert.equal(await page.say('#room', '/join #web'), null);
    eve.send('JOIN #web');
    eve.lines();
    assert.equal(await page.say('#web', '/topic web\0topic'), null);
    assert.deepEqual(eve.lines(), [':ann!web@web TOPIC #web :web topic']);
    const late = h.register('late');
    late.send('JOIN #web');
    assert.ok(late.lines().includes(':irc.test 332 late #web :web topic'));
    eve.lines();
    assert.equal(await page.say('#room', '/part see\0you'), null);
    assert.deepEqual(eve.lines(), [':ann!web@web PART #room :see you']);
    assert.equal(h.service.findRoom('#room')!.memberByKey('ann'), undefined);
  });
});
