/**
 * `Portal.login`: every path from credentials to avatar, and every refusal: no checker, refused, a
 * checker that breaks, a realm that answers the wrong interface; the failure delay on a fake clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { captureLogs } from '../logger/index.js';
import { AllowAnonymousAccess } from './anonymous.js';
import { ANONYMOUS, Anonymous, IAnonymous, IUsernamePassword, SSHPrivateKey, UsernamePassword, defineAvatarInterface, defineCredentialsInterface } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials, UnsupportedAvatarInterface, ValidPublicKey } from './errors.js';
import type { AvatarId, AvatarInterface, ICredentials, ICredentialsChecker, IRealm, LoginResult } from './interfaces.js';
import { InMemoryUsernamePasswordDatabase } from './password-checker.js';
import { Portal } from './portal.js';
import { Clock, assertFailure, assertNoResult, failureResultOf, successResultOf } from '../testing/index.js';

class Shell {
  constructor(readonly user: AvatarId) {}
}
class Mailbox {
  constructor(readonly user: AvatarId) {}
}
const IShell = defineAvatarInterface<Shell>('IShell');
const IMailbox = defineAvatarInterface<Mailbox>('IMailbox');

/** A realm with shells and mailboxes that records logins, logouts and minds. */
class TestRealm implements IRealm {
  readonly loggedIn: AvatarId[] = [];
  readonly loggedOut: AvatarId[] = [];
  readonly minds: unknown[] = [];
  answer: AvatarInterface | undefined;

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: AvatarInterface[]): LoginResult {
    this.minds.push(mind);
    const logout = () => void this.loggedOut.push(avatarId);
    const iface = this.answer ?? interfaces.find((i) => i === IShell || i === IMailbox);
    if (iface === undefined) throw new UnsupportedAvatarInterface('no shell or mailbox asked for');
    this.loggedIn.push(avatarId);
    return [iface, iface === IShell ? new Shell(avatarId) : new Mailbox(avatarId), logout];
  }
}

const users = () => new InMemoryUsernamePasswordDatabase({ alice: 'secret' });

describe('Portal.login', () => {
  test('good credentials give the realm an avatar id and the caller the interface, avatar and logout', async () => {
    const realm = new TestRealm();
    const portal = new Portal(realm, [users()]);
    const mind = { name: 'client' };
    const [iface, shell, logout] = await portal.login(new UsernamePassword('alice', 'secret'), mind, IShell);
    assert.equal(iface, IShell);
    assert.ok(shell instanceof Shell);
    assert.equal(shell.user, 'alice');
    assert.deepEqual(realm.minds, [mind]);
    logout();
    assert.deepEqual(realm.loggedOut, ['alice']);
  });

  test('the realm picks among the interfaces asked for, in the caller\'s order', async () => {
    const realm = new TestRealm();
    const portal = new Portal(realm, [users()]);
    const unknown = defineAvatarInterface<never>('IUnknown');
    const [iface, avatar] = await portal.login(new UsernamePassword('alice', 'secret'), null, unknown, IMailbox, IShell);
    assert.equal(iface, IMailbox);
    assert.ok(avatar instanceof Mailbox);
    await assertFailure<UnsupportedAvatarInterface>(portal.login(new UsernamePassword('alice', 'secret'), null, unknown), UnsupportedAvatarInterface);
    await assertFailure<UnsupportedAvatarInterface>(portal.login(new UsernamePassword('alice', 'secret'), null), UnsupportedAvatarInterface);
  });

  test('a realm answering with an interface not asked for is refused, and that avatar logged out', async () => {
    const realm = new TestRealm();
    realm.answer = IMailbox;
    const portal = new Portal(realm, [users()]);
    const e = await assertFailure<UnsupportedAvatarInterface>(portal.login(new UsernamePassword('alice', 'secret'), null, IShell), UnsupportedAvatarInterface);
    assert.match(e.message, /IMailbox, which was not asked for/);
    assert.deepEqual(realm.loggedOut, ['alice']);
  });

  test('a wrong password and an unknown user are the same refusal; the realm is never asked', async () => {
    const realm = new TestRealm();
    const portal = new Portal(realm, [users()]);
    const wrong = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'nope'), null, IShell), UnauthorizedLogin);
    const unknown = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('bob', 'nope'), null, IShell), UnauthorizedLogin);
    assert.deepEqual([wrong.message, wrong.code], [unknown.message, unknown.code]);
    assert.deepEqual(realm.loggedIn, []);
  });

  test('credentials no checker takes are UnhandledCredentials naming what they provide', async () => {
    const portal = new Portal(new TestRealm(), [users()]);
    const e = await assertFailure<UnhandledCredentials>(portal.login(new Anonymous(), null, IShell), UnhandledCredentials);
    assert.equal(e.code, 'TORSION_CRED_UNHANDLED');
    assert.match(e.message, /IAnonymous/);
    await assertFailure<UnhandledCredentials>(portal.login({ credentialInterfaces: undefined } as unknown as ICredentials, null, IShell), UnhandledCredentials);
  });

  test('anonymous access gives the ANONYMOUS id', async () => {
    const realm = new TestRealm();
    const portal = new Portal(realm, [users(), new AllowAnonymousAccess()]);
    const [, shell] = await portal.login(new Anonymous('192.0.2.1'), null, IShell);
    assert.equal(shell.user, ANONYMOUS);
    assert.deepEqual(portal.listCredentialsInterfaces(), [IUsernamePassword, IAnonymous]);
  });

  test('registerChecker: a later checker replaces an earlier one for its interfaces; explicit interfaces win', async () => {
    const portal = new Portal(new TestRealm(), [users()]);
    portal.registerChecker(new InMemoryUsernamePasswordDatabase({ bob: 'pw' }));
    await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'secret'), null, IShell), UnauthorizedLogin);
    assert.equal((await portal.login(new UsernamePassword('bob', 'pw'), null, IShell))[1].user, 'bob');
    const IToken = defineCredentialsInterface<ICredentials & { token: string }>('IToken');
    const tokenChecker: ICredentialsChecker = { credentialInterfaces: [], requestAvatarId: () => Deferred.succeed('tok') };
    portal.registerChecker(tokenChecker, IToken);
    assert.equal((await portal.login({ credentialInterfaces: [IToken], token: 't' } as ICredentials, null, IShell))[1].user, 'tok');
    assert.throws(() => portal.registerChecker(tokenChecker), TypeError);
  });

  test('credentials providing several interfaces go to the checker of the first one a checker takes', async () => {
    const ISpecial = defineCredentialsInterface('ISpecial');
    const special: ICredentialsChecker = { credentialInterfaces: [ISpecial], requestAvatarId: () => Deferred.succeed('special') };
    const portal = new Portal(new TestRealm(), [users(), special]);
    const both = { credentialInterfaces: [ISpecial, IUsernamePassword], username: 'alice', password: 'secret' };
    assert.equal((await portal.login(both, null, IShell))[1].user, 'special');
  });

  test('a checker that throws or fails with its own error is logged and refused like a wrong password', async () => {
    const broken: ICredentialsChecker = {
      credentialInterfaces: [IUsernamePassword],
      requestAvatarId: () => {
        throw new Error('database is down at 10.0.0.5');
      },
    };
    const portal = new Portal(new TestRealm(), [broken]);
    let refusal: UnauthorizedLogin | undefined;
    const events = await captureLogs(async () => {
      refusal = await assertFailure<UnauthorizedLogin>(portal.login(new UsernamePassword('alice', 'secret'), null, IShell), UnauthorizedLogin);
    });
    assert.doesNotMatch(refusal?.message ?? '', /database/);
    assert.ok(events.some((e) => e.log_namespace === 'torsion.cred' && String(e.log_failure?.value).includes('database is down')));
  });

  test('failureDelay: every refusal waits the same on the clock; successes and key queries do not', () => {
    const clock = new Clock();
    const ssh: ICredentialsChecker = { credentialInterfaces: [IUsernamePassword], requestAvatarId: () => Deferred.fail(new ValidPublicKey()) };
    const portal = new Portal(new TestRealm(), [users()], { failureDelay: 2, clock });
    const wrong = portal.login(new UsernamePassword('alice', 'nope'), null, IShell);
    const unknown = portal.login(new UsernamePassword('bob', 'nope'), null, IShell);
    const good = portal.login(new UsernamePassword('alice', 'secret'), null, IShell);
    assert.ok(successResultOf(good)[1] instanceof Shell);
    assertNoResult(wrong);
    assertNoResult(unknown);
    clock.advance(1.999);
    assertNoResult(wrong);
    assertNoResult(unknown);
    clock.advance(0.001);
    failureResultOf(wrong, UnauthorizedLogin);
    failureResultOf(unknown, UnauthorizedLogin);
    const query = new Portal(new TestRealm(), [ssh], { failureDelay: 2, clock });
    failureResultOf(query.login(new UsernamePassword('alice', 'x'), null, IShell), ValidPublicKey);
    assert.throws(() => new Portal(new TestRealm(), [], { failureDelay: -1 }), RangeError);
  });

  test('SSHPrivateKey credentials with no key checker are unhandled', async () => {
    const portal = new Portal(new TestRealm(), [users()]);
    const creds = new SSHPrivateKey({ username: 'alice', algName: 'ssh-ed25519', blob: new Uint8Array(0) });
    await assertFailure<UnhandledCredentials>(portal.login(creds, null, IShell), UnhandledCredentials);
  });
});
