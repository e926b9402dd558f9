// Torsion's sendmail against aiosmtpd (python3-aiosmtpd), a server nobody here wrote: plain delivery with a
// refused recipient, then STARTTLS with the certificate verified and AUTH, and a certificate that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePeer, selfSignedCertificate, startPeerProgram } from '../../testing/index.js';
import { sendmail } from './sendmail.js';

const python = requirePeer('/usr/bin/python3', 'python3-aiosmtpd');
const script = fileURLToPath(new URL('../test-support/aiosmtpd-server.py', import.meta.url));

test('sendmail to aiosmtpd: plain, then STARTTLS with verification and AUTH', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-aiosmtpd-'));
  const { key, cert } = selfSignedCertificate('localhost');
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  const out = join(dir, 'received.jsonl');
  const peer = await startPeerProgram({ executable: python, name: 'aiosmtpd', args: (port) => [script, String(port), out, join(dir, 'cert.pem'), join(dir, 'key.pem')], ready: /ready/ });
  try {
    const plain = await sendmail('127.0.0.1', 'bob@example.net', ['alice@example.org', 'nobody@elsewhere.example'], 'Subject: plain\n\n.dot\nbody\n', { port: peer.port, hostname: 'torsion.test', startTLS: false }).asPromise();
    assert.deepEqual(plain.accepted, ['alice@example.org']);
    assert.deepEqual(plain.rejected, [{ address: 'nobody@elsewhere.example', code: 550, text: '5.1.1 no such user here' }]);
    const tls = { ca: cert, servername: 'localhost' };
    const secured = await sendmail('127.0.0.1', 'alice@example.org', ['alice@example.org'], 'Subject: secured\r\n\r\nover TLS\r\n', { port: peer.port, username: 'alice', password: 'secret', tls }).asPromise();
    assert.deepEqual(secured.accepted, ['alice@example.org']);
    const bad = await sendmail('127.0.0.1', 'alice@example.org', ['alice@example.org'], 'Subject: x\r\n\r\nx\r\n', { port: peer.port, username: 'alice', password: 'secret', tls: { servername: 'localhost' } }).asPromise().catch((e: unknown) => e);
    assert.ok(bad instanceof Error, 'a certificate nobody vouches for fails the send');
    const wrong = await sendmail('127.0.0.1', 'alice@example.org', ['alice@example.org'], 'x\r\n', { port: peer.port, username: 'alice', password: 'nope', tls }).asPromise().catch((e: unknown) => e);
    assert.match(String(wrong), /535/);
    const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { from: string; to: string[]; data: string; tls: boolean; auth: unknown });
    assert.equal(got.length, 2, peer.output());
    assert.deepEqual(got[0]!.to, ['alice@example.org']);
    assert.equal(got[0]!.data, 'Subject: plain\r\n\r\n.dot\r\nbody\r\n', 'line ends normalised, the dot unstuffed by the server');
    assert.equal(got[0]!.tls, false);
    assert.equal(got[1]!.tls, true);
    assert.ok(got[1]!.auth);
  } finally {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
