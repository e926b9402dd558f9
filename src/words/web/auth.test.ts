/**
 * The web chat's login form against password guessing and registration floods.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { createWordsService, type WordsService } from '../index.js';
import { WebChatSession } from './session.js';
import { closedOnlyView } from './test-support/closed-view.js';

const GUESSER = '198.51.100.7';
const OWNER_HOST = '203.0.113.9';

const VIEW = closedOnlyView().view;

/** A service on a fake time (seconds, moved with `advance`). */
async function setup(): Promise<{ service: WordsService; advance(seconds: number): void }> {
  const clock = new Clock();
  clock.advance(1_800_000_000);
  const service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, clock });
  await service.start();
  return {
    service,
    advance: (seconds) => clock.advance(seconds),
  };
}

describe('web chat password guessing', () => {
  test('a guessing loop from one page and address: growing delays; the owner elsewhere logs in first try', async () => {
    const { service, advance } = await setup();
    await service.register('owner', 'rightpass');
    const guesser = new WebChatSession(service, VIEW, {}, GUESSER);
    // A guess is being checked when the owner arrives from another address.
    const first = guesser.login('owner', 'guess0');
    const owner = new WebChatSession(service, VIEW, {}, OWNER_HOST);
    assert.equal(await owner.login('owner', 'rightpass'), null);
    assert.equal(await first, 'Password incorrect');
    owner.end();
    const answers: string[] = [];
    for (let i = 1; i < 12; i++) {
      const answer = (await guesser.login('owner', `guess${i}`)) ?? 'logged in';
      answers.push(answer);
      const wait = /try again in (\d+) seconds?$/.exec(answer);
      if (wait) advance(Number(wait[1]));
    }
    assert.deepEqual(answers, [
      'Password incorrect',
      'Password incorrect',
      'Too many failed logins: try again in 1 second',
      'Password incorrect',
      'Too many failed logins: try again in 2 seconds',
      'Password incorrect',
      'Too many failed logins: try again in 4 seconds',
      'Password incorrect',
      'Too many failed logins: try again in 8 seconds',
      'Password incorrect',
      'Too many failed logins: try again in 16 seconds',
    ]);
    const again = new WebChatSession(service, VIEW, {}, OWNER_HOST);
    assert.equal(await again.login('owner', 'rightpass'), null, 'the owner still gets in first try');
    assert.equal(await guesser.login('owner', 'guess'), 'Password incorrect');
    assert.equal(await guesser.login('owner', 'guess'), 'Too many failed logins: try again in 32 seconds');
    const newcomer = new WebChatSession(service, VIEW, {}, GUESSER);
    assert.equal(await newcomer.login('newcomer', 'password', true), null, 'registering is no guess: the new account logs in at once');
  });
});

describe('web chat registration limits', () => {
  test('a registration flood from one address is cut off with a clear message; other addresses still register', async () => {
    const { service } = await setup();
    const answers: (string | null)[] = [];
    for (let i = 0; i < 30; i++) answers.push(await new WebChatSession(service, VIEW, {}, GUESSER).login(`bot${i}`, 'password', true));
    const allowed = service.limits.registration.perAddress;
    assert.deepEqual(answers.slice(0, allowed), Array<null>(allowed).fill(null));
    assert.deepEqual(new Set(answers.slice(allowed)), new Set(['Too many accounts registered from your address: try again in 60 minutes']));
    assert.equal(await service.isRegistered(`bot${allowed}`), false);
    assert.equal(await new WebChatSession(service, VIEW, {}, OWNER_HOST).login('human', 'password', true), null);
  });
});
