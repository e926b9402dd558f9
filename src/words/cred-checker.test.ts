/**
 * The words accounts as a `torsion/cred` checker, with a real words service: a registered account logs in
 * through a portal, wrong and unknown names are the same refusal, and the service's login throttle counts
 * the attempts of the credentials' peer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { Anonymous, Portal, UnauthorizedLogin, UnhandledCredentials, UsernamePassword, defineAvatarInterface, type AvatarId, type IRealm } from '../cred/index.js';
import { WordsAccountChecker, createWordsService, type WordsService } from './index.js';
import { assertFailure, Clock } from '../testing/index.js';

const IName = defineAvatarInterface<string>('IName');
const realm: IRealm = { requestAvatar: (id: AvatarId) => Deferred.succeed([IName, String(id), () => {}]) };
const GUESSER = '198.51.100.7';

async function setup(): Promise<{ words: WordsService; portal: Portal; advance(seconds: number): void }> {
  const clock = new Clock();
  clock.advance(1_800_000_000);
  const words = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, clock });
  await words.start();
  await words.register('Alice', 'rightpass');
  return { words, portal: new Portal(realm, [new WordsAccountChecker(words)]), advance: (s) => clock.advance(s) };
}

describe('WordsAccountChecker', () => {
  test('a words account logs in through a portal, as the name it registered', async () => {
    const { portal } = await setup();
    const [, name] = await portal.login(new UsernamePassword('alice', 'rightpass'), null, IName);
    assert.equal(name, 'Alice');
  });

  test('a wrong password and an unknown name are the same refusal', async () => {
    const { portal } = await setup();
    const wrong = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'nope'), null, IName), UnauthorizedLogin);
    const unknown = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('nobody', 'nope'), null, IName), UnauthorizedLogin);
    assert.deepEqual([wrong.code, wrong.message, wrong.retryAfter], [unknown.code, unknown.message, unknown.retryAfter]);
  });

  test('guesses from one peer are throttled by the service (retryAfter), while the owner elsewhere still logs in', async () => {
    const { portal, advance } = await setup();
    const guess = () => assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'guess', GUESSER), null, IName), UnauthorizedLogin);
    for (let i = 0; i < 3; i++) assert.equal((await guess()).retryAfter, undefined, `free guess ${i + 1}`);
    const throttled = await guess();
    assert.ok(throttled.retryAfter !== undefined && throttled.retryAfter > 0, 'the fourth guess waits');
    assert.equal(throttled.code, 'TORSION_CRED_UNAUTHORIZED');
    assert.equal((await portal.login(new UsernamePassword('alice', 'rightpass', '203.0.113.9'), null, IName))[1], 'Alice', 'the owner elsewhere');
    const right = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'rightpass', GUESSER), null, IName), UnauthorizedLogin);
    assert.ok(right.retryAfter !== undefined, 'even the right password waits from the throttled peer');
    advance(throttled.retryAfter);
    assert.equal((await portal.login(new UsernamePassword('alice', 'rightpass', GUESSER), null, IName))[1], 'Alice');
  });

  test('only usernames and passwords', async () => {
    const { words } = await setup();
    await assertFailure<UnhandledCredentials>(new WordsAccountChecker(words).requestAvatarId(new Anonymous()), UnhandledCredentials);
  });
});
