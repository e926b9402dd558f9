/**
 * Public-key logins: the query step, signatures of every algorithm, and what the options of a key line
 * forbid (`from=`, `expiry-time=`, `cert-authority`); keys read from `authorized_keys` files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { captureLogs } from '../logger/index.js';
import { SSHPrivateKey, UsernamePassword } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials, ValidPublicKey } from './errors.js';
import { InMemorySSHKeyDB, SSHPublicKeyChecker } from './authorized-keys-checker.js';
import { AuthorizedKeysFiles, authorizedKeysDirectory, homeDirectory, userAuthorizedKeysFiles } from './authorized-keys-files.js';
import { sshSign } from './ssh-keys.js';
import { testKey, testKeys, type TestKey } from './test-support/keys.js';
import { Clock, assertFailure } from '../testing/index.js';

const sigData = new TextEncoder().encode('session id || SSH_MSG_USERAUTH_REQUEST ...');

function creds(key: TestKey, options: { alg?: string; sign?: boolean; user?: string; peer?: string; data?: Uint8Array } = {}): SSHPrivateKey {
  const alg = options.alg ?? key.algorithms[0];
  const data = options.data ?? sigData;
  return new SSHPrivateKey({
    username: options.user ?? 'alice',
    algName: alg,
    blob: key.publicKey.blob,
    ...(options.sign === false ? {} : { sigData: data, signature: sshSign(key.privateKey, alg, data) }),
    peer: options.peer,
  });
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-keys-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SSHPublicKeyChecker', () => {
  test('every key type and algorithm logs in with a good signature', async () => {
    const db = new InMemorySSHKeyDB({ alice: testKeys().map((k) => k.publicKey.toString()) });
    const checker = new SSHPublicKeyChecker(db, { clock: new Clock() });
    for (const k of testKeys()) for (const alg of k.algorithms) assert.equal(await checker.requestAvatarId(creds(k, { alg })), 'alice', alg);
  });

  test('the query step: an authorized key without signature is ValidPublicKey (still a refusal); another is not', async () => {
    const checker = new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [testKey('ed25519').publicKey.toString()] }), { clock: new Clock() });
    const ok = await assertFailure<ValidPublicKey>(checker.requestAvatarId(creds(testKey('ed25519'), { sign: false })), ValidPublicKey);
    assert.ok(ok instanceof UnauthorizedLogin);
    const no = await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(testKey('nistp256'), { sign: false })), UnauthorizedLogin);
    assert.ok(!(no instanceof ValidPublicKey));
  });

  test('a bad signature, a key of another user, an unknown user and a forged signature are all refused alike', async () => {
    const ed = testKey('ed25519');
    const checker = new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [ed.publicKey.toString()], bob: [testKey('rsa').publicKey.toString()] }), { clock: new Clock() });
    const other = new SSHPrivateKey({ ...creds(ed), sigData: new TextEncoder().encode('other data') });
    const refusals = [
      await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(other), UnauthorizedLogin),
      await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { user: 'bob' })), UnauthorizedLogin),
      await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { user: 'nobody' })), UnauthorizedLogin),
      // The signature of another key, over the same data, presented with alice's key.
      await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(new SSHPrivateKey({ ...creds(testKey('nistp256')), blob: ed.publicKey.blob, algName: 'ssh-ed25519' })), UnauthorizedLogin),
    ];
    assert.equal(new Set(refusals.map((e) => `${e.code} ${e.message}`)).size, 1);
    await assertFailure<UnhandledCredentials>(checker.requestAvatarId(new UsernamePassword('alice', 'x')), UnhandledCredentials);
  });

  test('SHA-1 ssh-rsa signatures only with allowSHA1; oversized signed data refused', async () => {
    const rsa = testKey('rsa');
    const db = new InMemorySSHKeyDB({ alice: [rsa.publicKey.toString()] });
    await assertFailure<UnauthorizedLogin>(new SSHPublicKeyChecker(db, { clock: new Clock() }).requestAvatarId(creds(rsa, { alg: 'ssh-rsa' })), UnauthorizedLogin);
    assert.equal(await new SSHPublicKeyChecker(db, { clock: new Clock(), allowSHA1: true }).requestAvatarId(creds(rsa, { alg: 'ssh-rsa' })), 'alice');
    const small = new SSHPublicKeyChecker(db, { clock: new Clock(), limits: { maxSignedDataBytes: 10 } });
    await assertFailure<UnauthorizedLogin>(small.requestAvatarId(creds(rsa)), UnauthorizedLogin);
  });

  test('from= allows only matching peers, and no peer at all is refused', async () => {
    const ed = testKey('ed25519');
    const checker = new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [`from="10.0.0.0/8,!10.6.6.6" ${ed.publicKey.toString()}`] }), { clock: new Clock() });
    assert.equal(await checker.requestAvatarId(creds(ed, { peer: '10.1.2.3' })), 'alice');
    assert.equal(await checker.requestAvatarId(creds(ed, { peer: '::ffff:10.1.2.3' })), 'alice');
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { peer: '10.6.6.6' })), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { peer: '192.0.2.1' })), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed)), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { sign: false, peer: '192.0.2.1' })), UnauthorizedLogin);
  });

  test('expiry-time: the key works until then on the given clock, and never after', async () => {
    const ed = testKey('ed25519');
    const clock = new Clock();
    const expiry = Date.UTC(2030, 0, 2) / 1000;
    clock.advance(expiry - 1);
    const checker = new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [`expiry-time="20300102Z" ${ed.publicKey.toString()}`] }), { clock });
    assert.equal(await checker.requestAvatarId(creds(ed)), 'alice');
    clock.advance(1);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed)), UnauthorizedLogin);
  });

  test('a cert-authority key never logs in by itself; findKey gives the entry with its options', async () => {
    const ed = testKey('ed25519');
    const p256 = testKey('nistp256');
    const checker = new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [`cert-authority ${ed.publicKey.toString()}`, `restrict,port-forwarding ${p256.publicKey.toString()} laptop`] }), { clock: new Clock() });
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed)), UnauthorizedLogin);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(ed, { sign: false })), UnauthorizedLogin);
    const entry = await checker.findKey(creds(p256));
    assert.deepEqual([entry?.comment, entry?.options.portForwarding, entry?.options.pty], ['laptop', true, false]);
  });
});

describe('AuthorizedKeysFiles', () => {
  test('one file per user in a folder; bad lines skipped; a missing file or an unsafe name means no keys', async () => {
    const keys = join(dir, 'keys');
    mkdirSync(keys);
    writeFileSync(join(keys, 'alice'), `# alice\nnot a key\n${testKey('ed25519').publicKey.toString()} alice@laptop\n`);
    writeFileSync(join(dir, 'secret'), testKey('nistp256').publicKey.toString());
    const files = new AuthorizedKeysFiles(authorizedKeysDirectory(keys));
    const checker = new SSHPublicKeyChecker(files, { clock: new Clock() });
    assert.equal(await checker.requestAvatarId(creds(testKey('ed25519'))), 'alice');
    assert.deepEqual(await files.getAuthorizedKeys('bob'), []);
    for (const name of ['../secret', '..', '.', '', 'a/b', 'a\\b', 'a\u0000b', '.hidden']) assert.deepEqual(authorizedKeysDirectory(keys)(name), [], name);
    await assertFailure<UnauthorizedLogin>(checker.requestAvatarId(creds(testKey('nistp256'), { user: '../secret' })), UnauthorizedLogin);
  });

  test('an oversized file gives no keys, and says so in the log', async () => {
    const path = join(dir, 'big');
    writeFileSync(path, `${testKey('ed25519').publicKey.toString()}\n${'#'.repeat(2000)}\n`);
    const files = new AuthorizedKeysFiles(() => [path], { maxAuthorizedKeysFileBytes: 1000 });
    const events = await captureLogs(async () => assert.deepEqual(await files.getAuthorizedKeys('alice'), []));
    assert.ok(events.some((e) => /over the limit of 1000/.test(String(e.log_failure?.value))));
  });

  test('the default mapping: ~user/.ssh/authorized_keys and authorized_keys2, homes from /etc/passwd for others', async () => {
    const me = userInfo();
    assert.deepEqual(await userAuthorizedKeysFiles(me.username), [join(me.homedir, '.ssh', 'authorized_keys'), join(me.homedir, '.ssh', 'authorized_keys2')]);
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/sh\nzed:x:1001:1001:Zed,,,:/home/zed:/bin/bash\nbroken:x\n');
    assert.equal(await homeDirectory('zed', passwd), '/home/zed');
    assert.equal(await homeDirectory('nobody-here', passwd), undefined);
    assert.equal(await homeDirectory('../root', passwd), undefined);
    assert.equal(await homeDirectory('zed', join(dir, 'missing')), undefined);
  });
});
