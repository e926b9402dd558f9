// Torsion's ENVELOPE against Dovecot's for the same messages (encoded-words, 8-bit text, groups, comments,
// routes, folded and empty fields), both read by Torsion's IMAP client and compared as values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reactor, type IPv4Address } from '../../internet/index.js';
import { requirePeer } from '../../testing/index.js';
import { startDovecot } from '../test-support/dovecot.js';
import { setup } from '../test-support/imap-session.js';
import type { IMAPValue } from './values.js';
import { connectIMAPClient } from '../test-support/imap-client.js';

requirePeer('/usr/sbin/dovecot', 'dovecot-imapd');

const MESSAGES = [
  'From: =?UTF-8?B?SsO2cmc=?= <jorg@example.test>\r\nSubject: =?ISO-8859-1?Q?caf=E9?= and more\r\nTo: "Doe, John" <john@example.test>, "Q \\"x\\" y" <q@example.test>\r\n\r\nx\r\n',
  'From: jane@example.test (Jane Roe)\r\nTo: undisclosed-recipients:;\r\nCc: team: a@example.test, b@example.test;, c@example.test\r\nSubject: \r\nDate: Sat, 5 Dec 2026 10:00:00 +0000\r\nMessage-ID: <id@x>\r\n\r\nx\r\n',
  'From: Jörg Müller <jorg@example.test>\r\nSubject: Grüße\r\nTo: <@route.a,@route.b:user@example.test>\r\nReply-To: noatsign\r\nSender: \r\n\r\nx\r\n',
  'Subject: folded\r\n line two\r\nFrom: "multi\r\n line" <m@example.test>\r\nIn-Reply-To: <a@b> <c@d>\r\nBcc: John Q. Public <jqp@example.test>\r\n\r\nx\r\n',
];

/** A value as plain data: strings by their bytes (quoted or literal alike), NIL as null. */
function plain(v: IMAPValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.type === 'list') return v.items.map(plain);
  if (v.type === 'atom') return v.value.toUpperCase() === 'NIL' ? null : v.value;
  return Buffer.from(v.value).toString('latin1');
}

async function envelopes(port: number, password: string): Promise<unknown[]> {
  const client = connectIMAPClient(port);
  try {
    await client.greeting.asPromise();
    await client.login('alice', password).asPromise();
    await client.select('INBOX').asPromise();
    return (await client.fetch('1:*', 'ENVELOPE').asPromise()).map((f) => plain(f.attributes.get('ENVELOPE')));
  } finally {
    client.transport?.loseConnection();
  }
}

test('ENVELOPE: Torsion answers what Dovecot answers for the same messages', { timeout: 60_000 }, async () => {
  const dovecot = await startDovecot({ alice: 'secret' }, (maildir) => MESSAGES.forEach((m, i) => writeFileSync(join(maildir('alice'), 'new', `${1000 + i}.M${i}.test`), m)), 'imap');
  const { factory, maildir, dir } = setup();
  const port = await reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  try {
    for (const m of MESSAGES) await maildir.deliver(Buffer.from(m));
    const theirs = await envelopes(dovecot.port, 'secret');
    const ours = await envelopes((port.getHost() as IPv4Address).port, 'secret');
    assert.equal(ours.length, MESSAGES.length);
    for (let i = 0; i < MESSAGES.length; i++) assert.deepEqual(ours[i], theirs[i], `message ${i + 1}`);
  } finally {
    await port.stopListening();
    await dovecot.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
