// Torsion's IMAP client against Dovecot (dovecot-imapd), a server nobody here wrote: login, CAPABILITY,
// SELECT, FETCH with literals, SEARCH, STORE, APPEND, EXPUNGE, and IDLE seeing another session's APPEND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, requirePeer } from '../../testing/index.js';
import { startDovecot } from '../test-support/dovecot.js';
import { connect as session, setup } from '../test-support/imap-session.js';
import { IMAPCommandError } from '../errors.js';
import type { IMAPResponse } from './response-reader.js';
import { connectIMAPClient } from '../test-support/imap-client.js';

// Named here too, so the quick test loop (which looks for requirePeer) leaves this file to the full run.
requirePeer('/usr/sbin/dovecot', 'dovecot-imapd');

test('the IMAP client reads, flags, appends and idles on Dovecot', { timeout: 120_000 }, async () => {
  const dovecot = await startDovecot(
    { alice: 'secret' },
    (maildir) => {
      writeFileSync(join(maildir('alice'), 'new', '1000.A.test'), 'Subject: one\n\nhello\n');
      writeFileSync(join(maildir('alice'), 'new', '1001.B.test'), 'Subject: two\n\nsecond\n');
    },
    'imap',
  );
  const a = connectIMAPClient(dovecot.port);
  const b = connectIMAPClient(dovecot.port);
  try {
    assert.match(await a.greeting.asPromise(), /Dovecot/);
    const caps = await a.capability().asPromise();
    assert.ok(caps.has('IMAP4REV1') && caps.has('IDLE'), [...caps].join(' '));
    await assert.rejects(a.login('alice', 'nope').asPromise(), IMAPCommandError);
    await a.login('alice', 'secret').asPromise();
    const box = await a.select('INBOX').asPromise();
    assert.equal(box.exists, 2);
    assert.ok(box.uidValidity > 0);
    const fetched = await a.fetch('1:2', '(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])').asPromise();
    const text = fetched[0]!.attributes.get('BODY[TEXT]');
    assert.ok(text?.type === 'string' && Buffer.from(text.value).toString() === 'hello\r\n');
    const header = fetched[1]!.attributes.get('BODY[HEADER.FIELDS (SUBJECT)]');
    assert.ok(header?.type === 'string' && Buffer.from(header.value).toString() === 'Subject: two\r\n\r\n');
    assert.deepEqual(await a.search('SUBJECT two').asPromise(), [2]);
    await a.store('1', '+', ['\\Seen', '\\Deleted']).asPromise();
    assert.deepEqual(await a.search('DELETED').asPromise(), [1]);

    await b.greeting.asPromise();
    await b.login('alice', 'secret').asPromise();
    await b.select('INBOX').asPromise();
    const pushed: IMAPResponse[] = [];
    b.onUntagged = (r) => pushed.push(r);
    const stop = await b.idle().asPromise();
    assert.deepEqual(await a.expunge().asPromise(), [1]);
    await a.append('INBOX', Buffer.from('Subject: three\r\n\r\nappended\r\n'), ['\\Flagged']).asPromise();
    await eventually(() => pushed.some((r) => /^\* 1 EXPUNGE/.test(r.text)) && pushed.some((r) => /^\* 2 EXISTS/.test(r.text)), { timeout: 20 });
    await stop().asPromise();
    assert.deepEqual(await b.search('FLAGGED').asPromise(), [2]);
    await a.logout().asPromise();
    await b.logout().asPromise();
  } catch (e) {
    throw new Error(`${String(e)}\ndovecot's log:\n${dovecot.log()}`);
  } finally {
    a.transport?.loseConnection();
    b.transport?.loseConnection();
    await dovecot.stop();
  }
});

test('Dovecot serving a maildir organised by Torsion\'s IMAP server sees its folders, subscriptions and keywords', { timeout: 120_000 }, async () => {
  const dovecot = await startDovecot(
    { alice: 'secret' },
    async (maildir) => {
      const { factory, dir } = setup({}, maildir('alice'));
      try {
        const c = session(factory);
        await c.send('a LOGIN alice secret\r\n');
        for (const name of ['Archive/2024', 'Entw&APw-rfe', 'Sent']) assert.match(await c.send(`b CREATE ${name}\r\n`), /^b OK/);
        await c.send('c SUBSCRIBE Archive/2024\r\n');
        const literal = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;
        assert.match(await c.send(`d APPEND Sent (\\Seen $Label1) ${literal('Subject: sent\r\n\r\nx\r\n')}\r\n`, 'd'), /^d OK/);
        assert.match(await c.send(`e APPEND INBOX ${literal('Subject: move\r\n\r\ny\r\n')}\r\n`, 'e'), /^e OK/);
        await c.send('f SELECT INBOX\r\n');
        assert.match(await c.send('g MOVE 1 Archive/2024\r\n'), /g OK/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'imap',
  );
  const a = connectIMAPClient(dovecot.port);
  try {
    await a.greeting.asPromise();
    await a.login('alice', 'secret').asPromise();
    const listed = await a.list('', '*').asPromise();
    assert.deepEqual(listed.map((m) => m.name).sort(), ['Archive', 'Archive.2024', 'Entw&APw-rfe', 'INBOX', 'Sent']);
    assert.deepEqual((await a.list('', '*', true).asPromise()).map((m) => m.name), ['Archive.2024']);
    assert.equal((await a.select('Sent').asPromise()).exists, 1);
    const flags = (await a.fetch('1', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])').asPromise())[0]!.attributes.get('FLAGS');
    assert.ok(flags?.type === 'list');
    assert.deepEqual(flags.items.map((f) => (f.type === 'atom' ? f.value : '')).filter((f) => f !== '\\Recent').sort(), ['$Label1', '\\Seen']);
    assert.equal((await a.select('Archive.2024').asPromise()).exists, 1);
    assert.equal((await a.select('INBOX').asPromise()).exists, 0);
    await a.logout().asPromise();
  } catch (e) {
    throw new Error(`${String(e)}\ndovecot's log:\n${dovecot.log()}`);
  } finally {
    a.transport?.loseConnection();
    await dovecot.stop();
  }
});

test('Dovecot with its listescape plugin and "/" as separator reads the dotted names Torsion made', { timeout: 120_000 }, async () => {
  const dovecot = await startDovecot(
    { alice: 'secret' },
    async (maildir) => {
      const { factory, dir } = setup({}, maildir('alice'));
      try {
        const c = session(factory);
        await c.send('a LOGIN alice secret\r\n');
        assert.match(await c.send('b CREATE "Releases/v1.2"\r\n'), /^b OK/);
        const literal = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;
        assert.match(await c.send(`c APPEND "Releases/v1.2" ${literal('Subject: dotted\r\n\r\nx\r\n')}\r\n`, 'c'), /^c OK/);
        assert.match(await c.send('d LIST "" Releases/*\r\n'), /^\* LIST \(\\HasNoChildren\) "\/" "Releases\/v1\.2"\r\n/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'imap',
    ['mail_plugins = $mail_plugins listescape', 'namespace inbox {\n  inbox = yes\n  separator = /\n}'],
  );
  const a = connectIMAPClient(dovecot.port);
  try {
    await a.greeting.asPromise();
    await a.login('alice', 'secret').asPromise();
    const listed = await a.list('', '*').asPromise();
    assert.deepEqual(listed.map((m) => m.name).sort(), ['INBOX', 'Releases', 'Releases/v1.2']);
    assert.equal((await a.select('Releases/v1.2').asPromise()).exists, 1);
    await a.logout().asPromise();
  } catch (e) {
    throw new Error(`${String(e)}\ndovecot's log:\n${dovecot.log()}`);
  } finally {
    a.transport?.loseConnection();
    await dovecot.stop();
  }
});
