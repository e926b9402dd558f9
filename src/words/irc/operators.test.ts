/**
 * Server operators on the IRC door: OPER (381, 464, 491) against operator accounts of the words service,
 * KILL, WALLOPS to users with +w, and operators shown with `*` in WHO, 313 in WHOIS and 252 in LUSERS.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../index.js';
import { eventually } from '../../testing/index.js';
import { Harness, type FakeClient } from './test-support/harness.js';

const FAST = { N: 1024, r: 8, p: 1 };

async function withOperator(): Promise<Harness> {
  return new Harness({}, { operators: [{ name: 'operuser', passwordHash: await hashPassword('operpassword', FAST) }] });
}

/** Sends OPER and waits for its answer (the password is checked in the thread pool). */
async function oper(c: FakeClient, line: string): Promise<string[]> {
  c.send(line);
  let got: string[] = [];
  await eventually(() => (got = got.concat(c.lines())).some((l) => / (381|464|491) /.test(l)), { message: () => `an answer to ${line}: ${got.join(' | ')}` });
  return got;
}

describe('IRC server operators', () => {
  test('OPER: 381 and MODE +o for the right password; 464 for a wrong one; 491 for an unknown name; 461 without one', async () => {
    const h = await withOperator();
    const baz = h.register('baz');
    assert.deepEqual(await oper(baz, 'OPER operuser nottheoperpassword'), [':irc.test 464 baz :Password incorrect']);
    assert.deepEqual(await oper(baz, 'OPER notanoperuser somepassword'), [':irc.test 491 baz :No O-lines for your host']);
    baz.send('OPER operuser');
    assert.deepEqual(baz.lines(), [':irc.test 461 baz OPER :Not enough parameters']);
    assert.equal(h.service.findUser('baz')?.serverOperator, undefined);
    assert.deepEqual(await oper(baz, 'OPER operuser operpassword'), [':irc.test 381 baz :You are now an IRC operator', ':baz!baz@127.0.0.1 MODE baz +o']);
    assert.equal(h.service.findUser('baz')?.serverOperator, 'operuser');
    baz.send('MODE baz');
    assert.deepEqual(baz.lines(), [':irc.test 221 baz +o']);
    baz.send('MODE baz +o-o');
    assert.deepEqual(baz.lines(), [':baz!baz@127.0.0.1 MODE baz -o'], 'only OPER gives +o; anyone may drop it');
    assert.equal(h.service.findUser('baz')?.serverOperator, undefined);
  });

  test('KILL: 481 for non-operators; an operator ends the session, peers see the quit, and the nick is free', async () => {
    const h = await withOperator();
    const ircop = h.register('ircop');
    const alice = h.register('alice');
    const bob = h.register('bob');
    alice.send('JOIN #c');
    bob.send('JOIN #c');
    alice.lines();
    bob.lines();
    alice.send('KILL bob :some arbitrary reason', 'KILL alice :me');
    assert.deepEqual(alice.lines(), [
      ":irc.test 481 alice :Permission Denied- You're not an IRC operator",
      ":irc.test 481 alice :Permission Denied- You're not an IRC operator",
    ]);
    await oper(ircop, 'OPER operuser operpassword');
    ircop.send('KILL ghost :x');
    assert.deepEqual(ircop.lines(), [':irc.test 401 ircop ghost :No such nick/channel']);
    ircop.send('KILL alice :some arbitrary reason');
    assert.deepEqual(alice.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Killed (ircop (some arbitrary reason)))']);
    assert.ok(alice.closed);
    assert.deepEqual(bob.lines(), [':alice!alice@127.0.0.1 QUIT :Killed (ircop (some arbitrary reason))']);
    ircop.send('KILL bob');
    assert.ok(bob.closed, 'a KILL without a reason works too');
    assert.equal(h.service.findUser('bob'), undefined);
    assert.ok(h.register('bob'), 'the nick is free again');
  });

  test('WALLOPS reaches users with +w only (the sender too if +w); 481 for non-operators', async () => {
    const h = await withOperator();
    const nick1 = h.register('nick1');
    const nick2 = h.register('nick2');
    const nick3 = h.register('nick3');
    nick2.send('MODE nick2 -w');
    nick3.send('MODE nick3 +w');
    assert.deepEqual(nick3.lines(), [':nick3!nick3@127.0.0.1 MODE nick3 +w']);
    nick2.lines();
    nick1.send('WALLOPS :hi everyone');
    assert.deepEqual(nick1.lines(), [":irc.test 481 nick1 :Permission Denied- You're not an IRC operator"]);
    await oper(nick1, 'OPER operuser operpassword');
    nick1.send('WALLOPS :hi everyone');
    assert.deepEqual(nick1.lines(), []);
    assert.deepEqual(nick3.lines(), [':nick1!nick1@127.0.0.1 WALLOPS :hi everyone']);
    assert.deepEqual(nick2.lines(), []);
    nick1.send('MODE nick1 +w', 'WALLOPS :again');
    assert.deepEqual(nick1.lines(), [':nick1!nick1@127.0.0.1 MODE nick1 +w', ':nick1!nick1@127.0.0.1 WALLOPS :again']);
  });

  test('operators show with * in WHO (after H or G), 313 in WHOIS, and in LUSERS 252', async () => {
    const h = await withOperator();
    const cool = h.register('coolNick');
    const other = h.register('otherNick');
    cool.send('JOIN #chan');
    other.send('JOIN #chan');
    await oper(cool, 'OPER operuser operpassword');
    other.lines();
    other.send('WHO coolNick', 'WHO #chan');
    assert.deepEqual(other.lines(), [
      ':irc.test 352 otherNick * coolNick 127.0.0.1 irc.test coolNick H* :0 coolNick Real',
      ':irc.test 315 otherNick coolNick :End of WHO list',
      ':irc.test 352 otherNick #chan coolNick 127.0.0.1 irc.test coolNick H*@ :0 coolNick Real',
      ':irc.test 352 otherNick #chan otherNick 127.0.0.1 irc.test otherNick H :0 otherNick Real',
      ':irc.test 315 otherNick #chan :End of WHO list',
    ]);
    cool.send('AWAY :be right back');
    other.send('WHO coolni*');
    assert.equal(other.lines()[0], ':irc.test 352 otherNick * coolNick 127.0.0.1 irc.test coolNick G* :0 coolNick Real');
    other.send('WHOIS coolNick');
    assert.ok(other.lines().includes(':irc.test 313 otherNick coolNick :is an IRC operator'));
    other.send('LUSERS');
    assert.ok(other.lines().includes(':irc.test 252 otherNick 1 :operator(s) online'));
  });
});
