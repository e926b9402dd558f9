/**
 * Interop with OpenSSH's `ssh-keygen` (Debian's openssh-client), a peer nobody here wrote: keys it makes
 * parse with the fingerprint it prints, signatures it makes (`-Y sign`, SSHSIG) verify here, and keys and
 * signatures made here are accepted by it (`-l`, `-Y check-novalidate`), for every supported key type.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuthorizedKeyLine } from './authorized-keys.js';
import { SSHPublicKey, sshSign } from './ssh-keys.js';
import { WireReader, WireWriter, concatBytes } from './ssh-wire.js';
import { testKeys } from './test-support/keys.js';
import { requirePeer } from '../testing/index.js';

const NAMESPACE = 'file';
const MESSAGE = new TextEncoder().encode('a message signed for the interop test\n');
const MAGIC = new TextEncoder().encode('SSHSIG');

let sshKeygen: string;
let dir: string;
before(() => {
  sshKeygen = requirePeer('ssh-keygen', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-keygen-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: Uint8Array): string {
  const r = spawnSync(sshKeygen, args, { input, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `ssh-keygen ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** What an SSHSIG signature covers (OpenSSH's PROTOCOL.sshsig). */
function signedData(hashAlg: string, message: Uint8Array): Uint8Array {
  const digest = createHash(hashAlg).update(message).digest();
  return concatBytes(MAGIC, new WireWriter().string(NAMESPACE).string('').string(hashAlg).string(digest).bytes());
}

function armor(blob: Uint8Array): string {
  const b64 = Buffer.from(blob).toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN SSH SIGNATURE-----\n${b64}-----END SSH SIGNATURE-----\n`;
}

function unarmor(text: string): WireReader {
  const b64 = text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const bytes = Buffer.from(b64, 'base64');
  assert.deepEqual(bytes.subarray(0, 6), Buffer.from(MAGIC));
  return new WireReader(bytes.subarray(6));
}

const TYPES: [string, string[]][] = [
  ['ed25519', ['-t', 'ed25519']],
  ['ecdsa-256', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa-384', ['-t', 'ecdsa', '-b', '384']],
  ['ecdsa-521', ['-t', 'ecdsa', '-b', '521']],
  ['rsa-2048', ['-t', 'rsa', '-b', '2048']],
];

describe('ssh-keygen interop', () => {
  for (const [name, args] of TYPES) {
    test(`${name}: its key parses with its fingerprint, and its SSHSIG signature verifies here`, () => {
      const path = join(dir, name);
      run(['-q', ...args, '-N', '', '-C', `${name}@interop`, '-f', path]);
      const entry = parseAuthorizedKeyLine(readFileSync(`${path}.pub`, 'utf8'));
      assert.equal(entry.comment, `${name}@interop`);
      assert.equal(run(['-l', '-E', 'sha256', '-f', `${path}.pub`]).split(' ')[1], entry.key.fingerprint());

      writeFileSync(join(dir, 'message'), MESSAGE);
      run(['-Y', 'sign', '-f', path, '-n', NAMESPACE, join(dir, 'message')]);
      const r = unarmor(readFileSync(join(dir, 'message.sig'), 'utf8'));
      assert.equal(r.uint32(), 1);
      assert.ok(SSHPublicKey.fromBlob(r.string()).equals(entry.key));
      assert.equal(new TextDecoder().decode(r.string()), NAMESPACE);
      r.string();
      const hashAlg = r.text();
      const signature = r.string();
      const algName = new WireReader(signature).text();
      assert.ok(entry.key.signatureAlgorithms().includes(algName), algName);
      assert.equal(entry.key.verify(algName, signature, signedData(hashAlg, MESSAGE)), true);
      assert.equal(entry.key.verify(algName, signature, signedData(hashAlg, new TextEncoder().encode('tampered'))), false);
      rmSync(join(dir, 'message.sig'));
    });
  }

  for (const key of testKeys()) {
    for (const algName of key.algorithms) {
      test(`${key.name} ${algName}: a key and a signature made here are accepted by ssh-keygen`, () => {
        const pub = join(dir, `${key.name}.pub`);
        writeFileSync(pub, `${key.publicKey.toString('made@torsion')}\n`);
        assert.equal(run(['-l', '-E', 'sha256', '-f', pub]).split(' ')[1], key.publicKey.fingerprint());

        const signature = sshSign(key.privateKey, algName, signedData('sha512', MESSAGE));
        const blob = new WireWriter().uint32(1).string(key.publicKey.blob).string(NAMESPACE).string('').string('sha512').string(signature).bytes();
        const sig = join(dir, `${key.name}-${algName}.sig`);
        writeFileSync(sig, armor(concatBytes(MAGIC, blob)));
        const out = spawnSync(sshKeygen, ['-Y', 'check-novalidate', '-n', NAMESPACE, '-s', sig], { input: MESSAGE, encoding: 'utf8', timeout: 30_000 });
        assert.equal(out.status, 0, out.stderr + out.stdout);
        assert.match(out.stdout + out.stderr, /Good "file" signature/);
      });
    }
  }
});
