/**
 * The words service as a `torsion/cred` realm: users vouched for by any checker log into the chat, and the
 * realm is the only way from a checker's answer to a words account.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Anonymous, AllowAnonymousAccess, InMemoryUsernamePasswordDatabase, Portal, UnauthorizedLogin, UnsupportedAvatarInterface, UsernamePassword, defineAvatarInterface } from '../cred/index.js';
import * as words from './index.js';
import { IChatUser, IWordsAccount, NickInUseError, VerifiedAccount, WordsAccountChecker, WordsRealm, createWordsService, type WordsService } from './index.js';
import { RecordingClient } from './test-support/recording-client.js';
import { assertFailure } from '../testing/index.js';

async function service(): Promise<WordsService> {
  const s = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 } });
  await s.start();
  await s.register('Alice', 'wordspass');
  return s;
}

describe('WordsRealm', () => {
  test('a user of a password database logs into the chat, taking the registered nick of the same name', async () => {
    const s = await service();
    const portal = new Portal(new WordsRealm(s), [new InMemoryUsernamePasswordDatabase({ alice: 'dbpass', bob: 'bobpass' })]);
    const holder = new RecordingClient();
    await s.login('alice', { client: holder, password: 'wordspass' });
    const client = new RecordingClient();
    const [iface, user, logout] = await portal.login(new UsernamePassword('alice', 'dbpass'), { client, host: '192.0.2.1' }, IChatUser);
    assert.equal(iface, IChatUser);
    assert.deepEqual([user.nick, user.account, user.host], ['alice', 'Alice', '192.0.2.1']);
    assert.equal(s.findUser('alice'), user);
    assert.deepEqual(holder.take().at(-1), `disconnect: ${words.REGAINED}`);
    logout();
    assert.equal(s.findUser('alice'), undefined, 'logout quits the session');
    const [, bob] = await portal.login(new UsernamePassword('bob', 'bobpass'), { client: new RecordingClient() }, IChatUser);
    assert.deepEqual([bob.nick, bob.account], ['bob', 'bob'], 'a name with no words account is its own account');
  });

  test('a refused password logs nobody in', async () => {
    const s = await service();
    const portal = new Portal(new WordsRealm(s), [new InMemoryUsernamePasswordDatabase({ alice: 'dbpass' })]);
    await assertFailure(portal.login(new UsernamePassword('alice', 'wordspass'), { client: new RecordingClient() }, IChatUser), UnauthorizedLogin);
    assert.equal(s.findUser('alice'), undefined);
  });

  test('with WordsAccountChecker: the words password gives an account the front door logs in with under another nick', async () => {
    const s = await service();
    const portal = new Portal(new WordsRealm(s), [new WordsAccountChecker(s)]);
    const [iface, account] = await portal.login(new UsernamePassword('ALICE', 'wordspass'), null, IWordsAccount);
    assert.equal(iface, IWordsAccount);
    assert.ok(account instanceof VerifiedAccount);
    assert.equal(account.name, 'Alice', 'spelled as registered');
    const user = await s.login('al_away', { client: new RecordingClient(), account });
    assert.equal(user.account, 'Alice');
    const owner = await s.login('alice', { client: new RecordingClient(), account });
    assert.equal(owner.account, 'Alice', 'the proof owns the registered nick');
    await assertFailure(portal.login(new UsernamePassword('alice', 'wrong'), null, IWordsAccount), UnauthorizedLogin);
  });

  test('the mind names the nick; a taken unregistered nick stays taken', async () => {
    const s = await service();
    const portal = new Portal(new WordsRealm(s), [new InMemoryUsernamePasswordDatabase({ carol: 'pw', dave: 'pw' })]);
    const [, carol] = await portal.login(new UsernamePassword('carol', 'pw'), { client: new RecordingClient(), nick: 'cc' }, IChatUser);
    assert.deepEqual([carol.nick, carol.account], ['cc', 'carol']);
    await assertFailure(portal.login(new UsernamePassword('dave', 'pw'), { client: new RecordingClient(), nick: 'cc' }, IChatUser), NickInUseError);
  });

  test('anonymous ids, unknown avatar interfaces and a mind without a client are refused', async () => {
    const s = await service();
    const realm = new WordsRealm(s);
    await assertFailure(new Portal(realm, [new AllowAnonymousAccess()]).login(new Anonymous(), { client: new RecordingClient() }, IChatUser), UnauthorizedLogin);
    const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ erin: 'pw' })]);
    await assertFailure(portal.login(new UsernamePassword('erin', 'pw'), null, defineAvatarInterface<string>('IShell')), UnsupportedAvatarInterface);
    await assertFailure(portal.login(new UsernamePassword('erin', 'pw'), { nick: 'erin' }, IChatUser), TypeError);
    assert.equal(s.findUser('erin'), undefined);
  });

  test('nothing public makes a VerifiedAccount except authenticate, registerVerified and the realm', () => {
    assert.throws(() => Reflect.construct(VerifiedAccount, ['Alice', 'alice']), TypeError);
    assert.equal('verifiedAccountFromChecker' in words, false);
  });
});
