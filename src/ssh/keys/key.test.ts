/**
 * `Key`: every type round-trips through every format; passphrases (right, wrong, missing); the checks that
 * refuse a file whose halves disagree or that asks for too many bcrypt rounds; and a seeded fuzz of the
 * openssh-key-v1 reader that must only ever throw key errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadKeyError } from '../../cred/index.js';
import { WireReader } from '../../cred/ssh-wire.js';
import { randomBytes, seededRandom } from '../../testing/index.js';
import { unarmor, armor } from './armor.js';
import { BadPassphraseError, EncryptedKeyError, KeyFormatError, KeyLimitError, PublicKeyOnlyError, UnsupportedKeyError } from './errors.js';
import { Key } from './key.js';
import { OPENSSH_LABEL } from './openssh-format.js';
import { KINDS, testKey } from './test-support.js';

const DATA = new TextEncoder().encode('data to sign');

function assertSameKey(a: Key, b: Key): void {
  assert.ok(a.equals(b));
  assert.equal(a.fingerprint(), b.fingerprint());
}

function assertSigns(signer: Key, verifier: Key): void {
  for (const algorithm of signer.signatureAlgorithms()) {
    assert.ok(verifier.verify(algorithm, signer.sign(algorithm, DATA), DATA), algorithm);
  }
}

for (const { name } of KINDS) {
  test(`${name}: openssh, pem, pkcs8 and public forms read back as the same key, and the private ones sign`, async () => {
    const key = await testKey(name);
    assert.equal(key.isPublic(), false);
    for (const [format, options] of [
      ['openssh', {}],
      ['openssh', { passphrase: 'correct horse', rounds: 2 }],
      ['openssh', { passphrase: 'correct horse', rounds: 2, cipher: 'aes256-gcm@openssh.com' }],
      ['pem', {}],
      ['pem', { passphrase: 'correct horse' }],
      ['pkcs8', {}],
      ['pkcs8', { passphrase: 'correct horse' }],
    ] as const) {
      const back = Key.fromString(key.toString(format, options), { passphrase: 'passphrase' in options ? options.passphrase : undefined });
      assertSameKey(back, key);
      assert.equal(back.isPublic(), false, `${format} ${JSON.stringify(options)}`);
      assertSigns(back, key);
    }
    const openssh = Key.fromString(key.toString('openssh'));
    assert.equal(openssh.comment, `${name}@test`);
    const pub = Key.fromString(key.toString('public'));
    assert.equal(pub.isPublic(), true);
    assert.equal(pub.comment, `${name}@test`);
    assertSameKey(pub, key);
    assertSigns(key, pub);
    assertSameKey(Key.fromString(pub.toString('pem')), key);
    assertSameKey(Key.fromBlob(key.blob()), key);
    assert.equal(key.public().isPublic(), true);
    assert.equal(key.sshType(), key.publicKey.type);
  });
}

test('a comment with a line break is refused: it would inject a line into authorized_keys', async () => {
  const key = await testKey('ed25519');
  const evil = `x\nssh-ed25519 ${Buffer.from(key.blob()).toString('base64')} attacker`;
  assert.throws(() => key.toString('public', { comment: evil }), RangeError);
  assert.throws(() => key.toString('openssh', { comment: 'a\rb' }), RangeError);
  assert.throws(() => Key.fromKeyObject(key.keyObject, 'a\nb').toString('public'), RangeError);
});

test('a public key cannot sign, and writes only its public forms', async () => {
  const pub = (await testKey('ed25519')).public();
  assert.throws(() => pub.sign('ssh-ed25519', DATA), PublicKeyOnlyError);
  assert.match(pub.toString('openssh'), /^ssh-ed25519 AAAA\S+ ed25519@test\n$/);
  assert.equal(pub.type(), 'Ed25519');
  assert.equal(pub.size(), 256);
});

test('a passphrase-protected key: none given is EncryptedKeyError, a wrong one BadPassphraseError, in every format', async () => {
  const key = await testKey('ecdsa-256');
  for (const text of [
    key.toString('openssh', { passphrase: 'right', rounds: 1 }),
    key.toString('openssh', { passphrase: 'right', rounds: 1, cipher: 'aes256-gcm@openssh.com' }),
    key.toString('pem', { passphrase: 'right' }),
    key.toString('pkcs8', { passphrase: 'right' }),
  ]) {
    assert.throws(() => Key.fromString(text), EncryptedKeyError);
    assert.throws(() => Key.fromString(text, { passphrase: '' }), EncryptedKeyError);
    assert.throws(() => Key.fromString(text, { passphrase: 'wrong' }), (e: Error) => e instanceof BadPassphraseError && /wrong passphrase/.test(e.message));
    assert.ok(Key.fromString(text, { passphrase: 'right' }).equals(key));
  }
});

/** The armoured key `text` with its bytes changed by `edit`. */
function patch(text: string, edit: (bytes: Uint8Array) => Uint8Array): string {
  return armor(edit(Uint8Array.from(unarmor(text, OPENSSH_LABEL))), OPENSSH_LABEL);
}

/** The offset of the bcrypt rounds in an encrypted openssh-key-v1 key. */
function roundsOffset(bytes: Uint8Array): number {
  const r = new WireReader(bytes.subarray(15));
  r.text();
  r.text();
  const options = r.string();
  return options.byteOffset - bytes.byteOffset + options.length - 4;
}

test('a key asking for more bcrypt rounds than maxKdfRounds is refused before any hashing', async () => {
  const text = (await testKey('ed25519')).toString('openssh', { passphrase: 'pw', rounds: 1 });
  const greedy = patch(text, (b) => {
    new DataView(b.buffer).setUint32(roundsOffset(b), 0xffffffff);
    return b;
  });
  const started = performance.now();
  assert.throws(() => Key.fromString(greedy, { passphrase: 'pw' }), (e: Error) => e instanceof KeyLimitError && /4294967295 bcrypt rounds/.test(e.message));
  // 2^32 rounds would take centuries: refusing it is instant (a generous bound, not a timing claim).
  assert.ok(performance.now() - started < 5000);
  assert.throws(() => Key.fromString(text, { passphrase: 'pw', limits: { maxKdfRounds: 0 } }), KeyLimitError);
});

test('a key file over maxKeyFileBytes is refused', async () => {
  const text = (await testKey('ed25519')).toString('openssh');
  assert.throws(() => Key.fromString(text, { limits: { maxKeyFileBytes: 100 } }), KeyLimitError);
});

test('a file whose public header names another key than its private part is refused', async () => {
  const a = (await testKey('ed25519')).toString('openssh');
  const other = await Key.generate('ed25519').asPromise();
  const blobA = Buffer.from((await testKey('ed25519')).blob());
  const mixed = patch(a, (bytes) => {
    const at = Buffer.from(bytes).indexOf(blobA);
    bytes.set(other.blob(), at);
    return bytes;
  });
  assert.throws(() => Key.fromString(mixed), (e: Error) => e instanceof KeyFormatError && /not the one its public header names/.test(e.message));
});

test('a private key that does not make its own public key is refused (the halves are checked by a signature)', async () => {
  const key = await testKey('ed25519');
  const pk = Buffer.from(key.blob().subarray(key.blob().length - 32));
  // The 64-byte secret is the seed then the public key: the third copy of the public key follows the seed.
  const forged = patch(key.toString('openssh'), (bytes) => {
    const buffer = Buffer.from(bytes);
    const third = buffer.indexOf(pk, buffer.indexOf(pk, buffer.indexOf(pk) + 1) + 1);
    bytes.set(new Uint8Array(32).fill(7), third - 32);
    return bytes;
  });
  assert.throws(() => Key.fromString(forged), (e: Error) => e instanceof KeyFormatError && /does not match its public key/.test(e.message));
});

test('text that is no key, an unknown armour, and options on a public key line are format errors', () => {
  assert.throws(() => Key.fromString('hello'), KeyFormatError);
  assert.throws(() => Key.fromString('-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n'), UnsupportedKeyError);
  assert.throws(() => Key.fromString('-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64!\n-----END OPENSSH PRIVATE KEY-----\n'), KeyFormatError);
  assert.throws(() => Key.fromString('no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'), KeyFormatError);
});

test('Key.generate: sizes outside what OpenSSH uses are refused', async () => {
  await assert.rejects(Key.generate('ecdsa', { bits: 255 }).asPromise(), RangeError);
  await assert.rejects(Key.generate('rsa', { bits: 512 }).asPromise(), RangeError);
  await assert.rejects(Key.generate('dsa' as 'rsa').asPromise(), UnsupportedKeyError);
});

test('writeFile: private keys 0600, public 0644, an existing file kept unless overwrite; fromFile reads them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-key-'));
  try {
    const key = await testKey('ed25519');
    const path = join(dir, 'id_ed25519');
    await key.writeFile(path, 'openssh', { passphrase: 'pw', rounds: 1 });
    await key.writeFile(`${path}.pub`, 'public');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}.pub`).mode & 0o777, 0o644);
    await assert.rejects(key.writeFile(path).asPromise(), /EEXIST/);
    assert.match(readFileSync(path, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    assert.ok((await Key.fromFile(path, { passphrase: 'pw' })).equals(key));
    await key.writeFile(path, 'openssh', { overwrite: true });
    assert.equal((await Key.fromFile(path)).isPublic(), false);
    await assert.rejects(Key.fromFile(path, { limits: { maxKeyFileBytes: 10 } }).asPromise(), KeyLimitError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fuzz: mutated and truncated openssh-key-v1 files only ever throw key errors', async () => {
  const sources = [(await testKey('ed25519')).toString('openssh'), (await testKey('rsa-2048')).toString('openssh', { passphrase: 'pw', rounds: 1 })];
  let accepted = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const random = seededRandom(seed);
    const text = sources[seed % 2];
    const mutated = patch(text, (bytes) => {
      const out = Uint8Array.from(bytes.subarray(0, random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length));
      const edits = 1 + Math.floor(random() * 4);
      for (let i = 0; i < edits && out.length > 0; i++) {
        // Lengths and counts are where parsers go wrong: often set a whole uint32 to an extreme.
        const at = Math.floor(random() * out.length);
        if (random() < 0.5 && at + 4 <= out.length) new DataView(out.buffer).setUint32(at, [0, 1, 0x7fffffff, 0xffffffff, Math.floor(random() * 300)][Math.floor(random() * 5)]);
        else out[at] = Math.floor(random() * 256);
      }
      return out;
    });
    try {
      Key.fromString(mutated, { passphrase: 'pw', limits: { maxKdfRounds: 4 } });
      accepted++;
    } catch (e) {
      assert.ok(e instanceof BadKeyError, `seed ${seed}: ${(e as Error).stack}`);
    }
  }
  // Edits inside the comment or padding can leave a usable key; most must be refused.
  assert.ok(accepted < 100, `${accepted} mutated keys accepted`);
});

test('fuzz: random bytes behind the magic, armoured, only ever throw key errors', () => {
  const magic = new TextEncoder().encode('openssh-key-v1\0');
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const body = randomBytes(random, Math.floor(random() * 300), [0, 0, 0, 1, 4, 0xff, 0x20]);
    const text = armor(Uint8Array.from([...magic, ...body]), OPENSSH_LABEL);
    assert.throws(() => Key.fromString(text, { passphrase: 'pw', limits: { maxKdfRounds: 4 } }), BadKeyError, `seed ${seed}`);
  }
});
