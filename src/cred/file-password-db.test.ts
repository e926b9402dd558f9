/**
 * `FilePasswordDB`: Twisted's file format and options, scrypt lines as `torsion/words` writes them, the
 * file read again when it changes, and a file that cannot be read refusing every login.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogs } from '../logger/index.js';
import { UsernamePassword } from './credentials.js';
import { UnauthorizedLogin } from './errors.js';
import { FilePasswordDB } from './file-password-db.js';
import { defaultVerifier, type PasswordVerifier } from './passwords.js';
import { hashPassword, parseScryptHash } from './scrypt.js';
import { assertFailure } from '../testing/index.js';

let dir: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-cred-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const path = join(dir, `users-${++n}`);
  writeFileSync(path, text);
  return path;
}

const login = (db: FilePasswordDB, user: string, password: string, peer?: string) => db.requestAvatarId(new UsernamePassword(user, password, peer));

describe('FilePasswordDB', () => {
  test('user:password lines; comments, blank and short lines skipped; the first line of a user wins', async () => {
    const db = new FilePasswordDB(file('# users\n\nalice:secret\r\nbob\nalice:other\ncarol:pa:ss:word  \n'));
    assert.equal(await login(db, 'alice', 'secret'), 'alice');
    await assertFailure<UnauthorizedLogin>(login(db, 'alice', 'other'), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(login(db, 'bob', ''), UnauthorizedLogin);
    assert.equal(await login(db, 'carol', 'pa'), 'carol', 'the password is the second field only');
    assert.deepEqual(await db.entries(), [['alice', 'secret'], ['carol', 'pa']]);
  });

  test('delimiter, field numbers and case-insensitivity are configurable', async () => {
    const db = new FilePasswordDB(file('1001|secret|Alice\n'), { delimiter: '|', usernameField: 2, passwordField: 1, caseSensitive: false });
    assert.equal(await login(db, 'alice', 'secret'), 'Alice');
    assert.throws(() => new FilePasswordDB('x', { delimiter: '' }), TypeError);
    assert.throws(() => new FilePasswordDB('x', { passwordField: -1 }), TypeError);
  });

  test('scrypt lines check the hash; an unknown user is checked against a decoy of the file\'s cost', async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    const seen: string[] = [];
    const verify: PasswordVerifier = (p, s, u) => (seen.push(s), defaultVerifier(p, s, u));
    const db = new FilePasswordDB(file(`alice:${await hashPassword('secret', cheap)}\n`), { verify });
    assert.equal(await login(db, 'alice', 'secret'), 'alice');
    await assertFailure<UnauthorizedLogin>(login(db, 'alice', 'wrong'), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(login(db, 'nobody', 'secret'), UnauthorizedLogin);
    assert.equal(seen.length, 3, 'the unknown user was hashed too');
    assert.deepEqual(parseScryptHash(seen[2])?.params, cheap);
  });

  test('the file is read again when it changes: new users and passwords apply without a restart', async () => {
    const path = file('alice:one\n');
    const reads: string[] = [];
    const db = new FilePasswordDB(path, { verify: (p, s) => (reads.push(s), p === s) });
    assert.equal(await login(db, 'alice', 'one'), 'alice');
    writeFileSync(path, 'alice:two\nbob:three\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    await assertFailure<UnauthorizedLogin>(login(db, 'alice', 'one'), UnauthorizedLogin);
    assert.equal(await login(db, 'alice', 'two'), 'alice');
    assert.equal(await login(db, 'bob', 'three'), 'bob');
    assert.deepEqual(reads, ['one', 'two', 'two', 'three']);
  });

  test('logins that arrive while the file is being read each get their own answer', async () => {
    const db = new FilePasswordDB(file('alice:secret\n'));
    const all = await Promise.all([login(db, 'alice', 'secret'), login(db, 'alice', 'secret'), login(db, 'alice', 'x').then(() => 'in', () => 'out')]);
    assert.deepEqual(all, ['alice', 'alice', 'out']);
  });

  test('a missing or oversized file refuses every login and says why in the log', async () => {
    const path = file('alice:secret\n');
    const db = new FilePasswordDB(path);
    assert.equal(await login(db, 'alice', 'secret'), 'alice');
    unlinkSync(path);
    const events = await captureLogs(() => assertFailure<UnauthorizedLogin>(login(db, 'alice', 'secret'), UnauthorizedLogin));
    assert.ok(events.some((e) => /cannot read the password file/.test(String(e.log_format))));

    const big = new FilePasswordDB(file(`alice:secret\n${'#'.repeat(200)}\n`), { limits: { maxPasswordFileBytes: 100 } });
    const bigEvents = await captureLogs(() => assertFailure<UnauthorizedLogin>(login(big, 'alice', 'secret'), UnauthorizedLogin));
    assert.ok(bigEvents.some((e) => /over the limit of 100/.test(String(e.log_failure?.value))));
  });
});
