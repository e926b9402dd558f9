/**
 * The `--auth` strings: each kind builds its checker, and each mistake is a `BadAuthString` whose message
 * names the problem (and never echoes a password).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllowAnonymousAccess } from './anonymous.js';
import { SSHPublicKeyChecker } from './authorized-keys-checker.js';
import { ANONYMOUS, Anonymous, UsernamePassword } from './credentials.js';
import { BadAuthString, UnauthorizedLogin } from './errors.js';
import { FilePasswordDB } from './file-password-db.js';
import { InMemoryUsernamePasswordDatabase } from './password-checker.js';
import { AUTH_KINDS, authHelp, checkerFromString, checkersFromStrings } from './strcred.js';
import { assertFailure } from '../testing/index.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-strcred-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('checkerFromString', () => {
  test('memory: users and passwords inline', async () => {
    const checker = checkerFromString('memory:alice:secret:bob:hunter22');
    assert.ok(checker instanceof InMemoryUsernamePasswordDatabase);
    assert.equal(await checker.requestAvatarId(new UsernamePassword('bob', 'hunter22')), 'bob');
    assert.equal(await checker.requestAvatarId(new UsernamePassword('alice', 'secret')), 'alice');
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new UsernamePassword('alice', 'hunter22')), UnauthorizedLogin);
    assert.equal(await checkerFromString('memory:carol:').requestAvatarId(new UsernamePassword('carol', '')), 'carol', 'an empty password is a password');
  });

  test('file: a password file; anonymous; sshkeys with and without a folder', async () => {
    const users = join(dir, 'users');
    writeFileSync(users, 'alice:secret\n');
    const file = checkerFromString(`file:${users}`);
    assert.ok(file instanceof FilePasswordDB);
    assert.equal(await file.requestAvatarId(new UsernamePassword('alice', 'secret')), 'alice');
    const anonymous = checkerFromString('anonymous');
    assert.ok(anonymous instanceof AllowAnonymousAccess);
    assert.equal(await anonymous.requestAvatarId(new Anonymous()), ANONYMOUS);
    assert.ok(checkerFromString('sshkeys') instanceof SSHPublicKeyChecker);
    assert.ok(checkerFromString(`sshkeys:${dir}`) instanceof SSHPublicKeyChecker);
  });

  test('mistakes are BadAuthString, naming the problem without the password', () => {
    const cases: [string, RegExp][] = [
      ['', /unknown --auth kind ""/],
      ['ldap:cn=x', /unknown --auth kind "ldap": use one of memory, file, anonymous, sshkeys/],
      ['unix', /does not read the system password database/],
      ['memory', /needs users and passwords/],
      ['memory:', /needs users and passwords/],
      ['memory:alice:topsecret:bob', /"bob" has no password/],
      ['memory:alice:topsecret::x', /user 2 has an empty name/],
      ['memory:alice:topsecret:alice:topsecret2', /"alice" is given twice/],
      ['file:', /needs a path/],
      [`file:${join(dir, 'missing')}`, /missing is not a readable file/],
      [`file:${dir}`, /is not a readable file/],
      ['anonymous:yes', /takes no argument/],
      [`sshkeys:${join(dir, 'nope')}`, /nope is not a folder/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => checkerFromString(text),
        (e: Error) => e instanceof BadAuthString && e.code === 'TORSION_CRED_BAD_AUTH_STRING' && message.test(e.message) && !e.message.includes('topsecret'),
        text,
      );
    }
  });

  test('repeated options give one checker each, in order; help lists every kind', () => {
    const checkers = checkersFromStrings(['anonymous', 'memory:a:b']);
    assert.deepEqual(checkers.map((c) => c.constructor.name), ['AllowAnonymousAccess', 'InMemoryUsernamePasswordDatabase']);
    assert.throws(() => checkersFromStrings(['anonymous', 'bogus']), BadAuthString);
    const help = authHelp();
    for (const kind of AUTH_KINDS) assert.ok(help.includes(kind.usage), kind.name);
  });
});
