/**
 * Interop with OpenSSH's `ssh-keygen` (Debian's openssh-client), a peer nobody here wrote: every key type
 * it generates (openssh-key-v1 with and without a passphrase, with aes256-ctr and aes256-gcm, `-m PEM`,
 * `-m PKCS8`) loads here with the fingerprint it prints and signs verifiably; every key written here loads
 * in `ssh-keygen -y` (with `-P`) and gives the same public key. An encrypted key it wrote decrypting here
 * is also a bcrypt_pbkdf test vector made on this machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from '../../testing/index.js';
import { BadPassphraseError } from './errors.js';
import { Key } from './key.js';
import { KINDS, testKey } from './test-support.js';

let sshKeygen: string;
let dir: string;
before(() => {
  sshKeygen = requirePeer('ssh-keygen', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-keys-interop-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): string {
  const r = spawnSync(sshKeygen, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `ssh-keygen ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `type base64` of a public key line, without its comment. */
const publicPart = (line: string): string => line.trim().split(/\s+/).slice(0, 2).join(' ');

const GENERATED: [string, string[]][] = [
  ['ed25519', ['-t', 'ed25519']],
  ['ecdsa-256', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa-384', ['-t', 'ecdsa', '-b', '384']],
  ['ecdsa-521', ['-t', 'ecdsa', '-b', '521']],
  ['rsa-2048', ['-t', 'rsa', '-b', '2048']],
];

const VARIANTS: [string, string[], string][] = [
  ['openssh', [], ''],
  ['openssh, passphrase, aes256-ctr', [], 'secret words'],
  ['openssh, passphrase, aes256-gcm', ['-Z', 'aes256-gcm@openssh.com'], 'secret words'],
  ['PEM', ['-m', 'PEM'], ''],
  ['PEM, passphrase', ['-m', 'PEM'], 'secret words'],
  ['PKCS8', ['-m', 'PKCS8'], ''],
  ['PKCS8, passphrase', ['-m', 'PKCS8'], 'secret words'],
];

describe('keys made by ssh-keygen load here', () => {
  for (const [name, typeArgs] of GENERATED) {
    for (const [variant, formatArgs, passphrase] of VARIANTS) {
      // ssh-keygen writes Ed25519 only as openssh-key-v1, whatever -m says.
      if (name === 'ed25519' && formatArgs[0] === '-m') continue;
      test(`${name}, ${variant}`, () => {
        const path = join(dir, `${name}-${variant.replace(/\W+/g, '-')}`);
        run(['-q', ...typeArgs, ...formatArgs, '-N', passphrase, '-C', `${name}@keygen`, '-f', path]);
        const text = readFileSync(path, 'utf8');
        const key = Key.fromString(text, passphrase ? { passphrase } : {});
        assert.equal(key.isPublic(), false);
        assert.equal(key.fingerprint(), run(['-l', '-E', 'sha256', '-f', `${path}.pub`]).split(' ')[1]);
        const pub = Key.fromString(readFileSync(`${path}.pub`, 'utf8'));
        assert.ok(pub.equals(key));
        assert.equal(pub.comment, `${name}@keygen`);
        if (formatArgs.length === 0) assert.equal(key.comment, `${name}@keygen`);
        const data = new TextEncoder().encode(`signed by ${name}`);
        for (const algorithm of key.signatureAlgorithms()) assert.ok(pub.verify(algorithm, key.sign(algorithm, data), data), algorithm);
        if (passphrase) assert.throws(() => Key.fromString(text, { passphrase: 'not it' }), BadPassphraseError);
      });
    }
  }

  test('an RFC 4716 public key from ssh-keygen -e reads as the same key', async () => {
    const key = await testKey('ecdsa-384');
    const path = join(dir, 'rfc4716.pub');
    writeFileSync(path, key.toString('public'));
    const exported = run(['-e', '-f', path]);
    assert.match(exported, /BEGIN SSH2 PUBLIC KEY/);
    assert.ok(Key.fromString(exported).equals(key));
  });
});

describe('keys written here load in ssh-keygen -y with the same public key', () => {
  for (const { name } of KINDS) {
    for (const [variant, options] of [
      ['openssh', {}],
      ['openssh, passphrase', { passphrase: 'pass phrase', rounds: 4 }],
      ['openssh, passphrase, aes256-gcm', { passphrase: 'pass phrase', rounds: 4, cipher: 'aes256-gcm@openssh.com' }],
      ['pem', {}],
      ['pem, passphrase', { passphrase: 'pass phrase' }],
      ['pkcs8', { passphrase: 'pass phrase' }],
    ] as const) {
      // OpenSSH 9.2 reads Ed25519 keys only in its own format (PKCS#8 Ed25519 came to it later).
      if (name === 'ed25519' && !variant.startsWith('openssh')) continue;
      test(`${name}, ${variant}`, async () => {
        const key = await testKey(name);
        const format = variant.split(',')[0] as 'openssh' | 'pem' | 'pkcs8';
        const path = join(dir, `mine-${name}-${variant.replace(/\W+/g, '-')}`);
        await key.writeFile(path, format, options);
        const derived = run(['-y', '-P', 'passphrase' in options ? options.passphrase : '', '-f', path]);
        assert.equal(publicPart(derived), publicPart(key.toString('public')));
        if (format === 'openssh') assert.match(derived, new RegExp(`${name}@test\\s*$`), 'the comment travels in the private section');
        await key.writeFile(`${path}.pub`, 'public');
        assert.equal(run(['-l', '-E', 'sha256', '-f', `${path}.pub`]).split(' ')[1], key.fingerprint());
      });
    }
  }
});
