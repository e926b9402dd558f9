/**
 * The username/password checkers: the same refusal for an unknown user as for a wrong password, and the
 * same work: the verifier (the hash) runs once per attempt either way, against a decoy shaped like the
 * store's own entries.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Anonymous, UsernamePassword } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials } from './errors.js';
import { InMemoryUsernamePasswordDatabase } from './password-checker.js';
import { constantTimeEqual, defaultVerifier, type PasswordVerifier } from './passwords.js';
import { hashPassword, parseScryptHash } from './scrypt.js';
import { assertFailure } from '../testing/index.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

/** A verifier that records what it was asked, then checks as the default does for plain passwords. */
function countingVerifier(): { verify: PasswordVerifier; calls: { password: string; stored: string; username: string }[] } {
  const calls: { password: string; stored: string; username: string }[] = [];
  return { calls, verify: (password, stored, username) => (calls.push({ password, stored, username }), constantTimeEqual(password, stored)) };
}

describe('InMemoryUsernamePasswordDatabase', () => {
  test('the right password gives the user name; a wrong one and an unknown user fail alike', async () => {
    const checker = new InMemoryUsernamePasswordDatabase({ alice: 'secret' });
    assert.equal(await checker.requestAvatarId(new UsernamePassword('alice', 'secret')), 'alice');
    const wrong = await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'guess')), UnauthorizedLogin);
    const unknown = await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('mallory', 'secret')), UnauthorizedLogin);
    assert.equal(wrong.message, unknown.message);
    assert.equal(wrong.code, 'TORSION_CRED_UNAUTHORIZED');
    assert.equal(unknown.code, wrong.code);
  });

  test('an unknown user still runs the hash, once, on a decoy of the same shape', async () => {
    const { verify, calls } = countingVerifier();
    const checker = new InMemoryUsernamePasswordDatabase({ alice: 'secret' }, { verify });
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'wrong!')), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('nobody', 'wrong!')), UnauthorizedLogin);
    assert.equal(calls.length, 2, 'one hash per attempt, known user or not');
    assert.deepEqual(calls.map((c) => c.username), ['alice', 'nobody']);
    assert.equal(calls[1].stored.length, 'secret'.length, 'the decoy is as long as a stored password');
    assert.notEqual(calls[1].stored, 'secret');
  });

  test('scrypt hashes are stored values too; an unknown user is checked against a decoy hash of the same cost', async () => {
    const stored = await hashPassword('secret', CHEAP);
    const seen: string[] = [];
    const checker = new InMemoryUsernamePasswordDatabase({ alice: stored }, { verify: (p, s, u) => (seen.push(s), defaultVerifier(p, s, u)) });
    assert.equal(await checker.requestAvatarId(new UsernamePassword('alice', 'secret')), 'alice');
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('bob', 'secret')), UnauthorizedLogin);
    const decoy = parseScryptHash(seen[1]);
    assert.deepEqual(decoy?.params, CHEAP);
    assert.equal(decoy?.hash.length, parseScryptHash(stored)?.hash.length);
  });

  test('a password that matches the decoy still does not log an unknown user in', async () => {
    const { verify, calls } = countingVerifier();
    const checker = new InMemoryUsernamePasswordDatabase({ alice: 'secret' }, { verify });
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('nobody', 'x')), UnauthorizedLogin);
    const decoy = calls[0].stored;
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('nobody', decoy)), UnauthorizedLogin);
  });

  test("Twisted's hash option: the stored value is hash(username, password, stored)", async () => {
    const checker = new InMemoryUsernamePasswordDatabase({ alice: 'terces' }, { hash: (_u, p) => [...p].reverse().join('') });
    assert.equal(await checker.requestAvatarId(new UsernamePassword('alice', 'secret')), 'alice');
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'terces')), UnauthorizedLogin);
    assert.throws(() => new InMemoryUsernamePasswordDatabase({}, { hash: (_u, p) => p, verify: () => true }), TypeError);
  });

  test('case-insensitive user names give the name as stored', async () => {
    const checker = new InMemoryUsernamePasswordDatabase({ Alice: 'secret' }, { caseSensitive: false });
    assert.equal(await checker.requestAvatarId(new UsernamePassword('ALICE', 'secret')), 'Alice');
    const strict = new InMemoryUsernamePasswordDatabase({ Alice: 'secret' });
    await assertFailure<UnauthorizedLogin>(strict.requestAvatarId(new UsernamePassword('alice', 'secret')), UnauthorizedLogin);
  });

  test('an overlong password or user name is refused before any hashing', async () => {
    const { verify, calls } = countingVerifier();
    const checker = new InMemoryUsernamePasswordDatabase({ alice: 'secret' }, { verify, limits: { maxPasswordLength: 10 } });
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'x'.repeat(11))), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('a'.repeat(1025), 'x')), UnauthorizedLogin);
    assert.equal(calls.length, 0);
  });

  test('users are added and removed; other credentials are unhandled', async () => {
    const checker = new InMemoryUsernamePasswordDatabase([['alice', 'one']]);
    checker.addUser('alice', 'two');
    assert.equal(await checker.requestAvatarId(new UsernamePassword('alice', 'two')), 'alice');
    assert.equal(checker.removeUser('alice'), true);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'two')), UnauthorizedLogin);
    await assertFailure<UnhandledCredentials>(checker.requestAvatarId(new Anonymous()), UnhandledCredentials);
  });
});

describe('UsernamePassword', () => {
  test('checkPassword compares in constant time; the password stays out of JSON and console.log', () => {
    const creds = new UsernamePassword('alice', 'secret', '192.0.2.1');
    assert.equal(creds.checkPassword('secret'), true);
    assert.equal(creds.checkPassword('secret2'), false);
    assert.equal(creds.checkPassword(''), false);
    assert.equal(JSON.stringify(creds), '{"username":"alice","peer":"192.0.2.1"}');
    assert.equal(inspect(creds), 'UsernamePassword("alice" from 192.0.2.1)');
    assert.doesNotMatch(inspect({ nested: [new UsernamePassword('bob', 'hunter22')] }, { depth: 5 }), /hunter22/);
  });
});
