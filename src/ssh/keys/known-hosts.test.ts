/**
 * `KnownHostsFile`: host patterns (ports, wildcards, negation), hashed names, markers, the three answers of
 * `hasHostKey`, appending without rewriting, refusing host names that would inject lines or patterns, and a
 * seeded fuzz of the parser (never throws, always writes back what it read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, seededRandom } from '../../testing/index.js';
import { HostKeyMismatchError, RevokedHostKeyError, UnknownHostKeyError } from './errors.js';
import { Key } from './key.js';
import { KnownHostsFile } from './known-hosts.js';
import { hashHostName } from './known-hosts-line.js';
import { testKey } from './test-support.js';

const line = (hosts: string, key: Key): string => `${hosts} ${key.public().toString('public', { comment: '' }).trim()}`;

test('plain patterns: host names, [host]:port, wildcards, negation, case', async () => {
  const key = await testKey('ed25519');
  const known = KnownHostsFile.fromString(
    [line('example.org,192.0.2.1', key), line('[example.net]:2222', key), line('*.example.com,!evil.example.com', key), line('Host?.Test', key)].join('\n'),
  );
  assert.equal(known.hasHostKey('example.org', 22, key), true);
  assert.equal(known.hasHostKey('EXAMPLE.ORG', 22, key), true);
  assert.equal(known.hasHostKey('192.0.2.1', 22, key), true);
  assert.equal(known.hasHostKey('example.org', 2222, key), false, 'a port other than 22 is a different name');
  assert.equal(known.hasHostKey('example.net', 2222, key), true);
  assert.equal(known.hasHostKey('example.net', 22, key), false);
  assert.equal(known.hasHostKey('www.example.com', 22, key), true);
  assert.equal(known.hasHostKey('evil.example.com', 22, key), false, 'a negated pattern wins');
  assert.equal(known.hasHostKey('host1.test', 22, key), true);
  assert.equal(known.hasHostKey('host12.test', 22, key), false);
});

test('hashed names: |1|salt|hash matches the name it hashes, and only it', async () => {
  const key = await testKey('ecdsa-256');
  const known = KnownHostsFile.fromString(`${line(hashHostName('example.org'), key)}\n${line(hashHostName('[10.0.0.1]:2200'), key)}\n`);
  assert.equal(known.hasHostKey('example.org', 22, key), true);
  assert.equal(known.hasHostKey('example.com', 22, key), false);
  assert.equal(known.hasHostKey('10.0.0.1', 2200, key), true);
  assert.equal(known.hasHostKey('10.0.0.1', 22, key), false);
  assert.ok(known.entries().every((e) => e.hashed && e.error === undefined));
});

test('a known host with another key of the same type throws HostKeyMismatchError naming the line; another type is unknown', async () => {
  const known = KnownHostsFile.fromString(`# mine\n${line('example.org', await testKey('ed25519'))}\n${line('example.org', await testKey('ecdsa-256'))}\n`, { path: '/k' });
  const other = await Key.generate('ed25519').asPromise();
  assert.throws(
    () => known.hasHostKey('example.org', 22, other),
    (e: Error) => e instanceof HostKeyMismatchError && e.line === 2 && e.fingerprint === other.fingerprint() && /\/k at line 2/.test(e.message),
  );
  // ECDSA on another curve is a changed ECDSA key, as in OpenSSH.
  const p384 = await testKey('ecdsa-384');
  assert.throws(() => known.hasHostKey('example.org', 22, p384), HostKeyMismatchError);
  assert.equal(known.hasHostKey('example.org', 22, await testKey('rsa-2048')), false);
  assert.deepEqual(known.knownKeyTypes('example.org'), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
});

test('the same host under two keys of one type (a key rotation) accepts either', async () => {
  const [a, b] = [await testKey('ed25519'), await Key.generate('ed25519').asPromise()];
  const known = KnownHostsFile.fromString(`${line('h', a)}\n${line('h', b)}\n`);
  assert.equal(known.hasHostKey('h', 22, a), true);
  assert.equal(known.hasHostKey('h', 22, b), true);
});

test('@revoked refuses the key even when it is also listed; @cert-authority lines never match a plain key', async () => {
  const key = await testKey('ed25519');
  const known = KnownHostsFile.fromString(`${line('h', key)}\n@revoked ${line('*', key)}\n@cert-authority ${line('ca.example', key)}\n`);
  assert.throws(() => known.hasHostKey('h', 22, key), RevokedHostKeyError);
  assert.equal(known.entries()[1].marker, 'revoked');
  assert.equal(known.entries()[2].marker, 'cert-authority');
  const ca = KnownHostsFile.fromString(`@cert-authority ${line('ca.example', key)}\n`);
  assert.equal(ca.hasHostKey('ca.example', 22, key), false);
});

test('lines that cannot be used are kept with the reason, and never match', async () => {
  const key = await testKey('ed25519');
  const text = ['@bogus h ssh-ed25519 AAAA', 'h ssh-dss AAAAB3NzaC1kc3MAAACBAP', 'h', 'h ssh-ed25519 not*base64', '|2|abc|def ' + line('', key).trim(), 'h no-pty ' + line('', key).trim()].join('\n');
  const known = KnownHostsFile.fromString(text);
  assert.equal(known.entries().length, 6);
  assert.ok(known.entries().every((e) => e.error !== undefined && e.key === undefined), JSON.stringify(known.entries()));
  assert.equal(known.hasHostKey('h', 22, key), false);
  assert.equal(known.toString(), text);
});

test('addHostKey appends; everything already there (comments, blank lines, order, a missing last newline) stays as written', async () => {
  const key = await testKey('ed25519');
  const original = `# comment\n\n${line('b', key)}\r\n   # indented\n${line('a', key)}`;
  const known = KnownHostsFile.fromString(original);
  assert.equal(known.toString(), original);
  const entry = known.addHostKey('New.Example', 2022, await testKey('rsa-2048'));
  assert.equal(entry.line, 6);
  assert.equal(entry.hosts, '[new.example]:2022');
  const hashed = known.addHostKey('h2', 22, key, { hash: true });
  assert.ok(hashed.hashed);
  assert.equal(known.toString(), `${original}\n${entry.text}\n${hashed.text}\n`);
  assert.equal(known.hasHostKey('new.example', 2022, await testKey('rsa-2048')), true);
  assert.equal(known.hasHostKey('h2', 22, key), true);
});

test('save appends only the new lines, after whatever the file holds now; a missing file is created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-known-hosts-'));
  try {
    const key = await testKey('ed25519');
    const path = join(dir, 'known_hosts');
    const original = `# keep me\n${line('a', key)}`;
    writeFileSync(path, original);
    const known = await KnownHostsFile.fromPath(path);
    known.addHostKey('b', 22, key);
    // Someone else appends meanwhile: their line stays too.
    writeFileSync(path, `${original}\n${line('c', key)}`);
    await known.save();
    await known.save();
    assert.equal(readFileSync(path, 'utf8'), `${original}\n${line('c', key)}\n${line('b', key)}\n`);

    const fresh = await KnownHostsFile.fromPath(join(dir, 'missing'));
    assert.equal(fresh.entries().length, 0);
    await fresh.verifyHostKey('x', 22, key, { acceptNewHostKeys: true });
    assert.equal(readFileSync(join(dir, 'missing'), 'utf8'), `${line('x', key)}\n`);
    await assert.rejects(fresh.verifyHostKey('y', 22, key).asPromise(), UnknownHostKeyError);
    await assert.rejects(fresh.verifyHostKey('x', 22, await Key.generate('ed25519').asPromise(), { acceptNewHostKeys: true }).asPromise(), HostKeyMismatchError);
    assert.equal(readFileSync(join(dir, 'missing'), 'utf8'), `${line('x', key)}\n`, 'a changed key is never written over the old one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('host names that would inject a line or a pattern are refused', async () => {
  const key = await testKey('ed25519');
  const known = KnownHostsFile.fromString('');
  for (const host of [`evil\n* ${line('', key).trim()}`, 'a,b', '*', 'h?st', '!h', '|1|x|y', 'a b', '', '#h', '@revoked', '[h]:22']) {
    assert.throws(() => known.addHostKey(host, 22, key), RangeError, JSON.stringify(host));
  }
  assert.throws(() => known.addHostKey('h', 0, key), RangeError);
  assert.equal(known.toString(), '');
});

test('a pattern of many wildcards against a long name does not backtrack for ever', async () => {
  const key = await testKey('ed25519');
  const known = KnownHostsFile.fromString(line(`${'*a'.repeat(40)}b`, key));
  const started = performance.now();
  assert.equal(known.hasHostKey('a'.repeat(200), 22, key), false);
  assert.ok(performance.now() - started < 5000, 'not frozen');
});

test('fuzz: any text parses without throwing, writes back unchanged, and answers hasHostKey', async () => {
  const key = await testKey('ed25519');
  const valid = line('host.example,[10.0.0.1]:22', key);
  const alphabet = [...new TextEncoder().encode(' \t\n\r#@|,!*?[]:')];
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const pieces: string[] = [];
    for (let i = 0; i < 6; i++) {
      const noise = new TextDecoder().decode(randomBytes(random, Math.floor(random() * 40), alphabet));
      const at = Math.floor(random() * valid.length);
      pieces.push(random() < 0.5 ? valid.slice(0, at) + noise + valid.slice(at) : noise);
    }
    const text = pieces.join(random() < 0.5 ? '\n' : '\r\n');
    const known = KnownHostsFile.fromString(text);
    assert.equal(known.toString(), text, `seed ${seed}`);
    try {
      known.hasHostKey('host.example', 22, key);
    } catch (e) {
      assert.ok(e instanceof HostKeyMismatchError, `seed ${seed}: ${(e as Error).stack}`);
    }
  }
});
