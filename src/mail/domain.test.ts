// MailDomain as the SMTP server's delivery: local users to their maildirs, postmaster to its alias,
// unknown users 550 5.1.1, other domains only when authenticated (through the relay) else 550 5.7.1,
// and a logged-in client sending only as its own addresses (553 5.7.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from '../defer/index.js';
import { Address } from './address.js';
import { MailDomain } from './domain.js';
import { RelayDenied, SMTPBadRcpt, SenderLoginMismatch } from './errors.js';
import type { SMTPSession } from './interfaces.js';
import { codes, smtpServer, testPortal } from './test-support/smtp.js';

const session = (authenticated: string | null): SMTPSession => ({ helo: 'c', peerHost: '127.0.0.1', authenticated, secure: false });

test('delivery decisions and stores', async () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-domain-'));
  const relayed: string[] = [];
  try {
    const domain = new MailDomain({
      domain: 'Example.Test',
      root,
      users: ['alice'],
      postmaster: 'alice',
      relay: { enqueue: (_from, to) => (relayed.push(...to.map(String)), Deferred.succeed(undefined)) },
    });
    const to = (address: string, auth: string | null = null) => domain.validateTo({ dest: Address.parse(address), origin: null, session: session(auth) });
    const store = async (address: string, auth: string | null = null): Promise<void> => {
      const m = to(address, auth)();
      m.write(Buffer.from('Subject: x\r\n\r\nx\r\n'));
      await Deferred.fromPromise(Promise.resolve(m.eomReceived())).asPromise();
    };
    await store('ALICE@example.test');
    await store('postmaster@EXAMPLE.TEST');
    assert.equal(readdirSync(join(root, 'alice', 'new')).length, 2);
    assert.throws(() => to('bob@example.test'), SMTPBadRcpt);
    assert.throws(() => to('someone@elsewhere.example'), RelayDenied);
    await store('someone@elsewhere.example', 'alice');
    assert.deepEqual(relayed, ['someone@elsewhere.example']);
    assert.throws(() => new MailDomain({ domain: 'x.test', root, users: ['../etc'] }), RangeError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a logged-in client may send only as its own addresses; unauthenticated and null senders pass', () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-domain-'));
  try {
    const domain = new MailDomain({ domain: 'example.test', root, users: ['alice', 'bob'], senders: new Map([['alice', ['Alice.Smith@Example.Test']]]) });
    const from = (address: string | null, auth: string | null) => domain.validateFrom(session(auth), address === null ? null : Address.parse(address));
    assert.equal(String(from('ALICE@EXAMPLE.TEST', 'alice')), 'ALICE@EXAMPLE.TEST');
    assert.equal(String(from('alice.smith@example.test', 'alice')), 'alice.smith@example.test');
    assert.throws(() => from('bob@example.test', 'alice'), (e: unknown) => e instanceof SenderLoginMismatch && e.replyCode === 553 && e.enhanced === '5.7.1');
    assert.throws(() => from('alice@elsewhere.example', 'alice'), SenderLoginMismatch);
    assert.throws(() => from('alice.smith@example.test', 'bob'), SenderLoginMismatch);
    assert.equal(from(null, 'alice'), null);
    assert.equal(String(from('bob@example.test', null)), 'bob@example.test');
    const open = new MailDomain({ domain: 'example.test', root, users: ['alice'], senders: 'any' });
    assert.equal(String(open.validateFrom(session('alice'), Address.parse('anyone@elsewhere.example'))), 'anyone@elsewhere.example');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('through SMTP AUTH: relaying as another user is refused 553 5.7.1 and nothing is queued', () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-domain-'));
  const relayed: string[] = [];
  try {
    const delivery = new MailDomain({ domain: 'example.test', root, users: ['alice', 'bob'], relay: { enqueue: (_from, to) => (relayed.push(...to.map(String)), Deferred.succeed(undefined)) } });
    const s = smtpServer({ portal: testPortal(), secure: true, delivery });
    s.send(`EHLO c.example\r\nAUTH PLAIN ${Buffer.from('\0alice\0secret').toString('base64')}\r\n`);
    const refused = s.send('MAIL FROM:<bob@example.test>\r\nRCPT TO:<friend@elsewhere.example>\r\nDATA\r\n');
    assert.deepEqual(codes(refused), ['553', '503', '503']);
    assert.match(refused, /^553 5\.7\.1 <bob@example\.test>: Sender address not owned by user alice\r\n/);
    assert.deepEqual(codes(s.send('MAIL FROM:<alice@example.test>\r\nRCPT TO:<friend@elsewhere.example>\r\n')), ['250', '250']);
    assert.deepEqual(relayed, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
