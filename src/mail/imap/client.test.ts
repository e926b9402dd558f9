// The IMAP client against Torsion's IMAP server over real loopback TCP (literals with and without LITERAL+,
// FETCH parsing, SEARCH, STORE, EXPUNGE, IDLE pushes), and its keepalive noticing a dead server (fake clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IPv4Address, reactor } from '../../internet/index.js';
import { InMemoryUsernamePasswordDatabase, Portal } from '../../cred/index.js';
import { Clock, StringTransport, eventually } from '../../testing/index.js';
import { IMailAccount } from '../account.js';
import { IMAPCommandError, MailProtocolError } from '../errors.js';
import type { MailAccount } from '../interfaces.js';
import { Maildir, MaildirMailbox } from '../maildir/index.js';
import { IMAP4Client } from './client.js';
import { IMAP4Factory } from './factory.js';
import type { IMAPResponse } from './response-reader.js';
import { connectIMAPClient } from '../test-support/imap-client.js';

test('IMAP4Client against the Torsion server: login, APPEND literals, FETCH, SEARCH, STORE, EXPUNGE, IDLE', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-imap-client-'));
  const maildir = new Maildir(join(dir, 'alice'));
  const realm = { requestAvatar: (id: unknown) => [IMailAccount, { username: String(id), openMailbox: () => MaildirMailbox.open(maildir) } as MailAccount, () => undefined] as never };
  const factory = new IMAP4Factory({ hostname: 'localhost', portal: new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]), allowPlaintextAuth: true, idlePollInterval: 0.2 });
  const port = await reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  const a = connectIMAPClient((port.getHost() as IPv4Address).port);
  const b = connectIMAPClient((port.getHost() as IPv4Address).port);
  try {
    assert.match(await a.greeting.asPromise(), /IMAP4rev1 ready/);
    await assert.rejects(a.login('alice', 'wrong').asPromise(), (e: unknown) => e instanceof IMAPCommandError && e.status === 'NO');
    await a.login('alice', 'secret').asPromise();
    // No CAPABILITY asked yet: the literal waits for the server's +.
    await a.append('INBOX', Buffer.from('Subject: one\r\n\r\nfirst\r\n'), ['\\Flagged']).asPromise();
    assert.ok((await a.capability().asPromise()).has('LITERAL+'));
    await a.append('INBOX', Buffer.from('Subject: two\r\n\r\nsecond\r\n')).asPromise();
    const box = await a.select('INBOX').asPromise();
    assert.equal(box.exists, 2);
    assert.ok(box.uidValidity > 0);
    const fetched = await a.fetch('1:*', '(UID FLAGS BODY.PEEK[])').asPromise();
    assert.deepEqual(fetched.map((f) => f.seq), [1, 2]);
    const body = fetched[1]!.attributes.get('BODY[]');
    assert.ok(body?.type === 'string' && Buffer.from(body.value).toString() === 'Subject: two\r\n\r\nsecond\r\n');
    assert.deepEqual(await a.search('FLAGGED').asPromise(), [1]);
    assert.deepEqual(await a.search('ALL', true).asPromise(), [1, 2]);

    await b.greeting.asPromise();
    await b.login('alice', 'secret').asPromise();
    await b.select('INBOX').asPromise();
    const pushed: IMAPResponse[] = [];
    b.onUntagged = (r) => pushed.push(r);
    const stopIdle = await b.idle().asPromise();
    await a.store('1', '+', ['\\Deleted']).asPromise();
    assert.deepEqual(await a.expunge().asPromise(), [1]);
    await eventually(() => pushed.some((r) => r.text === '* 1 EXPUNGE'), { timeout: 10 });
    await maildir.deliver(Buffer.from('Subject: three\r\n\r\nby SMTP\r\n'));
    await eventually(() => pushed.some((r) => r.text === '* 2 EXISTS'), { timeout: 10 });
    await stopIdle().asPromise();

    // Mailboxes: CREATE, LIST, LSUB, COPY and MOVE with their COPYUID, RENAME, DELETE.
    await a.mailboxCommand('CREATE', 'Archive/2024').asPromise();
    await a.mailboxCommand('SUBSCRIBE', 'Archive/2024').asPromise();
    assert.deepEqual(await a.list('', '*').asPromise(), [
      { name: 'INBOX', separator: '/', attributes: ['\\HasNoChildren'] },
      { name: 'Archive', separator: '/', attributes: ['\\HasChildren', '\\Archive'] },
      { name: 'Archive/2024', separator: '/', attributes: ['\\HasNoChildren'] },
    ]);
    assert.deepEqual((await a.list('', '*', true).asPromise()).map((m) => m.name), ['Archive/2024']);
    assert.match((await a.copy('1', 'Archive/2024').asPromise()).text, /^\[COPYUID \d+ 2 1\]/);
    const moved = await a.copy('1:*', 'Archive/2024', true, true).asPromise();
    assert.ok(moved.untagged.some((u) => /^\* OK \[COPYUID \d+ 2:3 2:3\]/.test(u.text)), moved.untagged.map((u) => u.text).join('|'));
    await a.rename('Archive', 'Old').asPromise();
    assert.equal((await a.select('Old/2024').asPromise()).exists, 3);
    await assert.rejects(a.mailboxCommand('DELETE', 'INBOX').asPromise(), (e: unknown) => e instanceof IMAPCommandError && /CANNOT/.test(e.text));
    await a.mailboxCommand('DELETE', 'Old/2024').asPromise();
    await a.logout().asPromise();
    await b.logout().asPromise();
  } finally {
    a.transport?.loseConnection();
    b.transport?.loseConnection();
    await port.stopListening();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IDLE keepalive: DONE and NOOP on the timer; a server that stops answering fails the session', () => {
  const clock = new Clock();
  const client = new IMAP4Client({ clock, limits: { keepaliveInterval: 60, timeout: 30 } });
  const transport = new StringTransport({ peerAddress: new IPv4Address('TCP', '127.0.0.1', 143) });
  client.makeConnection(transport);
  client.dataReceived(Buffer.from('* OK ready\r\n'));
  let stop: (() => unknown) | undefined;
  client.idle().addCallback((s) => void (stop = s));
  assert.equal(transport.valueString(), 'T1 IDLE\r\n');
  client.dataReceived(Buffer.from('+ idling\r\n'));
  assert.ok(stop !== undefined);
  clock.advance(59);
  assert.ok(!transport.disconnecting, 'idling is not waiting for an answer');
  transport.clear();
  clock.advance(1);
  assert.equal(transport.valueString(), 'DONE\r\n');
  client.dataReceived(Buffer.from('T1 OK IDLE done\r\n'));
  assert.equal(transport.valueString(), 'DONE\r\nT2 NOOP\r\n');
  client.dataReceived(Buffer.from('T2 OK NOOP\r\n'));
  assert.match(transport.valueString(), /T3 IDLE\r\n$/);
  client.dataReceived(Buffer.from('+ idling\r\n'));
  clock.advance(60);
  assert.match(transport.valueString(), /DONE\r\n$/);
  let failure: unknown;
  client.noop().addErrback((f) => void (failure = f.value));
  clock.advance(31);
  assert.ok(failure instanceof MailProtocolError && /dead/.test(failure.message));
  assert.ok(transport.disconnecting);
});

test('response limits: an oversized literal or line fails the pending command and closes', () => {
  const client = new IMAP4Client({ limits: { maxLiteralSize: 10, maxLineLength: 100 } });
  const transport = new StringTransport();
  client.makeConnection(transport);
  client.dataReceived(Buffer.from('* OK ready\r\n'));
  let failure: unknown;
  client.fetch('1', 'BODY[]').addErrback((f) => void (failure = f.value));
  client.dataReceived(Buffer.from('* 1 FETCH (BODY[] {1000000}\r\n'));
  assert.ok(failure instanceof MailProtocolError);
  assert.ok(transport.disconnecting);
});
