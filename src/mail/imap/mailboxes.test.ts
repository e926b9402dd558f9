// IMAP beyond INBOX: modified UTF-7 names, names that would escape the maildir, CREATE/DELETE/RENAME/LIST/
// LSUB/SUBSCRIBE as Maildir++ folders laid out as Dovecot does, SELECT of any mailbox with its own
// UIDVALIDITY, COPY and MOVE with COPYUID, APPENDUID, UID EXPUNGE, keywords, and RFC 2047 in SEARCH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../../testing/index.js';
import { IMAPMailboxNameError } from '../errors.js';
import { decodeEncodedWords } from '../encoded-words.js';
import { connect, setup } from '../test-support/imap-session.js';
import { folderOf, levelsOfFolder, matchesPattern, parseMailboxName } from './mailbox-names.js';
import { decodeMailboxName, encodeMailboxName } from './mutf7.js';

test('modified UTF-7: both ways, and only the canonical spelling is accepted', () => {
  for (const [text, wire] of [
    ['Entwürfe', 'Entw&APw-rfe'],
    ['R&D', 'R&-D'],
    ['日本語', '&ZeVnLIqe-'],
    ['😀 smile', '&2D3eAA- smile'],
    ['~peter/mail/台北', '~peter/mail/&U,BTFw-'],
  ]) {
    assert.equal(encodeMailboxName(text!), wire);
    assert.equal(decodeMailboxName(wire!), text);
  }
  // 'a' spelt in base64, an unterminated run, 8-bit bytes, a lone surrogate, stray bits.
  for (const bad of ['&AGE-', '&ZeV', 'Entwürfe', '&2D0-', '&AP-']) assert.throws(() => decodeMailboxName(bad), IMAPMailboxNameError, bad);
});

test('mailbox names that could escape the maildir or that Maildir++ cannot keep are refused', () => {
  const limits = { maxMailboxNameLength: 40, maxMailboxDepth: 3 };
  assert.deepEqual(parseMailboxName('inbox/Sub', limits), ['INBOX', 'Sub']);
  assert.deepEqual(parseMailboxName('Archive/2024/', limits, true), ['Archive', '2024']);
  for (const bad of ['..', '.', '../x', 'a/../b', 'a/.../b', '/abs', 'a//b', 'a/', 'x*', '%', 'a/b/c/d', 'x'.repeat(41), 'caf\u00e9', 'nul\u0000'])
    assert.throws(() => parseMailboxName(bad, limits), IMAPMailboxNameError, JSON.stringify(bad));
  // A dot inside a level is kept escaped (`\2e`, Dovecot's listescape), so it never splits the Maildir++ name.
  assert.deepEqual(parseMailboxName('v1.2/.hidden', limits), ['v1.2', '.hidden']);
  assert.equal(folderOf(['v1.2', '.hidden']), '.v1\\2e2.\\2ehidden');
  assert.equal(folderOf(['a\\b']), '.a\\5cb');
  assert.deepEqual(levelsOfFolder('.v1\\2e2.\\2ehidden', limits), ['v1.2', '.hidden']);
  assert.equal(levelsOfFolder('.a\\2fb', limits), undefined, 'an escaped separator is not a name this server makes');
  // LIST patterns: a table walk, not a regular expression that can be made to backtrack for ever.
  assert.ok(matchesPattern('*', 'a/b'));
  assert.ok(!matchesPattern('%', 'a/b'));
  assert.ok(matchesPattern('a/%', 'a/b'));
  assert.ok(matchesPattern('inbox', 'INBOX'));
  assert.ok(!matchesPattern('sent', 'Sent'));
  const started = process.hrtime.bigint();
  assert.ok(!matchesPattern(`${'*'.repeat(3000)}x`, 'a'.repeat(200)));
  assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 5);
});

test('CREATE, LIST, LSUB, SUBSCRIBE, RENAME, DELETE on Maildir++ folders, as Dovecot keeps them', async () => {
  const { factory, maildir, dir } = setup();
  try {
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\n');
    assert.match(await c.send('b CREATE Archive/2024/\r\n'), /^b OK/);
    assert.match(await c.send('c CREATE Entw&APw-rfe\r\n'), /^c OK/);
    assert.match(await c.send('d CREATE Archive\r\n'), /^d NO \[ALREADYEXISTS\]/);
    assert.match(await c.send('e CREATE INBOX\r\n'), /^e NO \[ALREADYEXISTS\]/);
    for (const bad of ['../evil', 'a/../../evil', '".."', '"Entwürfe"']) assert.match(await c.send(`f CREATE ${bad}\r\n`), /^f NO \[CANNOT\]/, bad);
    assert.deepEqual(readdirSync(dir), ['alice']);
    const folders = readdirSync(maildir.path).filter((n) => n.startsWith('.')).sort();
    assert.deepEqual(folders, ['.Archive', '.Archive.2024', '.Entw&APw-rfe']);
    assert.ok(existsSync(join(maildir.path, '.Archive.2024', 'maildirfolder')));
    assert.equal(
      await c.send('g LIST "" "*"\r\n'),
      '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasChildren \\Archive) "/" "Archive"\r\n* LIST (\\HasNoChildren) "/" "Archive/2024"\r\n* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"\r\ng OK LIST completed\r\n',
    );
    assert.equal(await c.send('h LIST Archive/ %\r\n'), '* LIST (\\HasNoChildren) "/" "Archive/2024"\r\nh OK LIST completed\r\n');
    assert.equal(await c.send('i LIST "" ""\r\n'), '* LIST (\\Noselect) "/" ""\r\ni OK LIST completed\r\n');

    await c.send('j SUBSCRIBE Archive/2024\r\n');
    await c.send('k SUBSCRIBE Entw&APw-rfe\r\n');
    assert.equal(readFileSync(join(maildir.path, 'subscriptions'), 'utf8'), 'V\t2\n\nArchive\t2024\nEntw&APw-rfe\n');
    assert.equal(await c.send('l LSUB "" %\r\n'), '* LSUB () "/" "Entw&APw-rfe"\r\n* LSUB (\\Noselect) "/" "Archive"\r\nl OK LSUB completed\r\n');
    await c.send('m UNSUBSCRIBE Entw&APw-rfe\r\n');
    assert.equal(await c.send('n LSUB "" *\r\n'), '* LSUB () "/" "Archive/2024"\r\nn OK LSUB completed\r\n');

    // RENAME takes the mailboxes below along; the parents of the new name are made.
    assert.match(await c.send('o RENAME Archive Old/Archive\r\n'), /^o OK/);
    assert.deepEqual(readdirSync(maildir.path).filter((n) => n.startsWith('.')).sort(), ['.Entw&APw-rfe', '.Old', '.Old.Archive', '.Old.Archive.2024']);
    assert.match(await c.send('p RENAME Nothing Else\r\n'), /^p NO \[NONEXISTENT\]/);
    assert.match(await c.send('q RENAME Old Old/Archive/x\r\n'), /^q NO \[(CANNOT|ALREADYEXISTS)\]/);
    // DELETE keeps the mailboxes below; the name stays as \Noselect.
    assert.match(await c.send('r DELETE Old/Archive\r\n'), /^r OK/);
    assert.match(await c.send('s LIST "" Old/*\r\n'), /^\* LIST \(\\Noselect \\HasChildren\) "\/" "Old\/Archive"\r\n\* LIST \(\\HasNoChildren\) "\/" "Old\/Archive\/2024"\r\ns OK/);
    assert.match(await c.send('t DELETE INBOX\r\n'), /^t NO \[CANNOT\]/);
    assert.match(await c.send('u DELETE Old/Archive\r\n'), /^u NO \[NONEXISTENT\]/);
    assert.match(await c.send('v SELECT Old/Archive\r\n'), /^v NO \[NONEXISTENT\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the number of mailboxes is bounded', async () => {
  const { factory, dir } = setup({ limits: { maxMailboxes: 3 } });
  try {
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\n');
    assert.match(await c.send('b CREATE one\r\n'), /^b OK/);
    assert.match(await c.send('c CREATE two/three\r\n'), /^c NO \[LIMIT\]/);
    assert.match(await c.send('d CREATE two\r\n'), /^d OK/);
    assert.match(await c.send('e CREATE four\r\n'), /^e NO \[LIMIT\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const MSG = (subject: string): string => `From: bob@example.test\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;

test('SELECT any mailbox with its own UIDVALIDITY; APPENDUID, COPYUID, MOVE, UID EXPUNGE, STATUS, TRYCREATE', async () => {
  const { factory, maildir, dir } = setup();
  try {
    for (const s of ['one', 'two', 'three']) await maildir.deliver(Buffer.from(MSG(s)));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\n');
    assert.match(await c.send('b CAPABILITY\r\n'), /UIDPLUS MOVE/);
    await c.send('c CREATE Sent\r\n');
    assert.match(await c.send('d APPEND Nowhere {3+}\r\nx\r\n\r\n', 'd'), /^d NO \[TRYCREATE\]/);
    assert.match(await c.send('e APPEND Sent (\\Seen) {12+}\r\nSubject: s\r\n\r\n', 'e'), /^e OK \[APPENDUID (\d+) 1\] APPEND completed/);
    const inbox = await c.send('f SELECT INBOX\r\n');
    const sent = await c.send('g EXAMINE Sent\r\n');
    const validity = (text: string): number => Number(/UIDVALIDITY (\d+)/.exec(text)![1]);
    assert.notEqual(validity(inbox), validity(sent));
    assert.match(sent, /\* 1 EXISTS/);
    assert.match(sent, /g OK \[READ-ONLY\]/);
    assert.match(await c.send('h MOVE 1 INBOX\r\n'), /^h NO \[READ-ONLY\]/);

    await c.send('i SELECT INBOX\r\n');
    await c.send('j STORE 2 +FLAGS (\\Flagged)\r\n');
    assert.match(await c.send('k COPY 1:2 Nowhere\r\n'), /^k NO \[TRYCREATE\]/);
    assert.equal(await c.send('l UID COPY 1:2 Sent\r\n'), `l OK [COPYUID ${validity(sent)} 1:2 2:3] UID COPY completed\r\n`);
    // MOVE: the COPYUID untagged, then the source's EXPUNGEs, then the tagged OK.
    assert.equal(await c.send('m MOVE 2:3 Sent\r\n'), `* OK [COPYUID ${validity(sent)} 2:3 4:5] Moved\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nm OK MOVE completed\r\n`);
    assert.match(await c.send('n MOVE 1 INBOX\r\n'), /^n NO \[CANNOT\]/);
    assert.equal(await c.send('o STATUS Sent (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)\r\n'), `* STATUS "Sent" (MESSAGES 5 UIDNEXT 6 UIDVALIDITY ${validity(sent)} UNSEEN 4)\r\no OK STATUS completed\r\n`);
    // The moved message kept its flag; the copies' source is unchanged.
    await c.send('p SELECT Sent\r\n');
    assert.match(await c.send('q UID FETCH 4 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n'), /FLAGS \(\\Flagged\) BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: two/);
    // UID EXPUNGE removes only the \Deleted messages named.
    await c.send('r STORE 1:5 +FLAGS.SILENT (\\Deleted)\r\n');
    assert.equal(await c.send('s UID EXPUNGE 2,4\r\n'), '* 4 EXPUNGE\r\n* 2 EXPUNGE\r\ns OK EXPUNGE completed\r\n');
    assert.match(await c.send('t UID SEARCH ALL\r\n'), /^\* SEARCH 1 3 5\r\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RENAME keeps another session on the renamed mailbox; DELETE ends sessions that had it selected', async () => {
  const { factory, dir } = setup();
  try {
    const a = connect(factory);
    const b = connect(factory);
    await a.send('a LOGIN alice secret\r\na1 CREATE Work\r\n', 'a1');
    await a.send('a2 APPEND Work {12+}\r\nSubject: w\r\n\r\n', 'a2');
    await b.send('b LOGIN alice secret\r\nb1 SELECT Work\r\n', 'b1');
    assert.match(await a.send('a3 RENAME Work Done\r\n'), /^a3 OK/);
    assert.match(await b.send('b2 FETCH 1 (UID BODY.PEEK[HEADER])\r\n'), /\* 1 FETCH \(UID 1 BODY\[HEADER\] \{12\}\r\nSubject: w/);
    assert.match(await a.send('a4 SELECT Done\r\n'), /\* 1 EXISTS/);
    assert.equal(await a.send('a5 DELETE Done\r\n'), '* OK [CLOSED] Selected mailbox was deleted\r\na5 OK DELETE completed\r\n');
    assert.match(await a.send('a6 FETCH 1 UID\r\n'), /^a6 BAD/);
    await eventually(() => /\* BYE Selected mailbox was deleted/.test(b.transport.valueString()), { timeout: 5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keywords: kept as dovecot-keywords letters, FLAGS and PERMANENTFLAGS with \\*, SEARCH KEYWORD, and at most 26', async () => {
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(Buffer.from(MSG('k')));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\n');
    assert.match(await c.send('b SELECT INBOX\r\n'), /\* OK \[PERMANENTFLAGS \(\\Seen \\Answered \\Flagged \\Deleted \\Draft \\\*\)\]/);
    assert.match(await c.send('c STORE 1 +FLAGS ($Important \\Seen)\r\n'), /\* 1 FETCH \(FLAGS \(\\Seen \$Important\)\)/);
    assert.equal(readFileSync(join(maildir.path, 'dovecot-keywords'), 'utf8'), '0 $Important\n');
    assert.match(readdirSync(join(maildir.path, 'cur'))[0]!, /:2,Sa$/);
    assert.match(await c.send('d SEARCH KEYWORD $important\r\n'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send('e SEARCH UNKEYWORD $Important\r\n'), /^\* SEARCH\r\n/);
    assert.match(await c.send('f STORE 1 -FLAGS ($Important Unknown)\r\n'), /\* 1 FETCH \(FLAGS \(\\Seen\)\)/);
    assert.equal(readFileSync(join(maildir.path, 'dovecot-keywords'), 'utf8'), '0 $Important\n');
    const many = Array.from({ length: 25 }, (_, i) => `k${i}`).join(' ');
    assert.match(await c.send(`g STORE 1 +FLAGS.SILENT (${many})\r\n`), /^g OK/);
    assert.match(await c.send('h STORE 1 +FLAGS (one-too-many)\r\n'), /^h NO \[LIMIT\]/);
    const sel = await c.send('i SELECT INBOX\r\n');
    assert.match(sel, /\* FLAGS \(\\Seen \\Answered \\Flagged \\Deleted \\Draft \$Important k0 k1 /);
    assert.match(sel, /PERMANENTFLAGS \([^)]*k24\)\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SEARCH on headers decodes RFC 2047 encoded-words', async () => {
  assert.equal(decodeEncodedWords('=?iso-8859-1?Q?caf=E9_cr=E8me?= =?UTF-8?B?IOKCrA==?= end'), 'café crème € end');
  assert.equal(decodeEncodedWords('=?x-unknown?Q?abc?= and =?utf-8*en?q?ok?='), '=?x-unknown?Q?abc?= and ok');
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(Buffer.from(`From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.test>\r\nSubject: =?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=\r\n\r\nx\r\n`));
    await maildir.deliver(Buffer.from(MSG('plain')));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\nb SELECT INBOX\r\n', 'b');
    const literal = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;
    assert.match(await c.send(`c SEARCH CHARSET UTF-8 SUBJECT ${literal('grüße')}\r\n`, 'c'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send(`d SEARCH CHARSET UTF-8 FROM ${literal('Jürgen')}\r\n`, 'd'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send(`e UID SEARCH CHARSET UTF-8 HEADER Subject ${literal('Köln')}\r\n`, 'e'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send('f SEARCH SUBJECT plain\r\n'), /^\* SEARCH 2\r\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
