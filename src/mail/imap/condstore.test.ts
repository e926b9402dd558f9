// CONDSTORE (RFC 7162): a mod-sequence per message kept in the maildir's index across restarts, HIGHESTMODSEQ
// in SELECT and STATUS, FETCH MODSEQ and CHANGEDSINCE, STORE UNCHANGEDSINCE with [MODIFIED], SEARCH MODSEQ,
// and flags another program changed in the file names getting a new mod-sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect, setup } from '../test-support/imap-session.js';
import { IMAP4Factory } from './factory.js';

const MSG = (n: number): Buffer => Buffer.from(`Subject: m${n}\r\n\r\nbody ${n}\r\n`);
const highest = (text: string): number => Number(/\[HIGHESTMODSEQ (\d+)\]/.exec(text)?.[1] ?? NaN);

test('MODSEQ per message, HIGHESTMODSEQ moves with STORE and EXPUNGE, CHANGEDSINCE lists only what changed', async () => {
  const { factory, maildir, dir } = setup();
  try {
    for (let i = 1; i <= 3; i++) await maildir.deliver(MSG(i));
    const c = connect(factory);
    assert.match(c.transport.valueString(), /CONDSTORE/);
    const selected = await c.send('a LOGIN alice secret\r\nb SELECT INBOX (CONDSTORE)\r\n', 'b');
    const start = highest(selected);
    assert.ok(start >= 3, selected);
    const mods = await c.send('c FETCH 1:* (MODSEQ)\r\n');
    const values = [...mods.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
    assert.equal(values.length, 3);
    assert.equal(Math.max(...values), start);
    const stored = await c.send('d STORE 2 +FLAGS (\\Flagged)\r\n');
    assert.match(stored, new RegExp(`^\\* 2 FETCH \\(MODSEQ \\(${start + 1}\\) FLAGS \\(\\\\Flagged\\)\\)\r\nd OK`));
    const since = await c.send(`e UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${start})\r\n`);
    assert.equal(since.match(/FETCH/g)?.length, 2, since);
    assert.match(since, new RegExp(`^\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Flagged\\) MODSEQ \\(${start + 1}\\)\\)\r\n`));
    assert.match(await c.send('f STATUS INBOX (HIGHESTMODSEQ MESSAGES)\r\n'), new RegExp(`STATUS INBOX \\(HIGHESTMODSEQ ${start + 1} MESSAGES 3\\)`));
    assert.match(await c.send(`g SEARCH MODSEQ ${start + 1}\r\n`), new RegExp(`^\\* SEARCH 2 \\(MODSEQ ${start + 1}\\)\r\n`));
    assert.match(await c.send('h SEARCH MODSEQ "/flags/\\\\flagged" all 1\r\n'), /^\* SEARCH 1 2 3 \(MODSEQ \d+\)\r\n/);
    await c.send('i STORE 3 +FLAGS.SILENT (\\Deleted)\r\nj EXPUNGE\r\n', 'j');
    const after = await c.send('k STATUS INBOX (HIGHESTMODSEQ)\r\n');
    assert.ok(Number(/HIGHESTMODSEQ (\d+)/.exec(after)?.[1]) >= start + 3, after);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('STORE UNCHANGEDSINCE leaves messages changed since and names them in [MODIFIED]; .SILENT still tells MODSEQ', async () => {
  const { factory, maildir, dir } = setup();
  try {
    for (let i = 1; i <= 3; i++) await maildir.deliver(MSG(i));
    const c = connect(factory);
    const start = highest(await c.send('a LOGIN alice secret\r\nb SELECT INBOX\r\n', 'b'));
    await c.send('c STORE 1 +FLAGS (\\Seen)\r\n');
    const conditional = await c.send(`d STORE 1:3 (UNCHANGEDSINCE ${start}) +FLAGS.SILENT (\\Answered)\r\n`);
    assert.doesNotMatch(conditional, /^\* 1 FETCH/m, 'message 1 changed since: left alone');
    assert.match(conditional, /^\* 2 FETCH \(MODSEQ \(\d+\)\)\r\n\* 3 FETCH \(MODSEQ \(\d+\)\)\r\n/);
    assert.match(conditional, /^d OK \[MODIFIED 1\] /m);
    const flags = await c.send('e FETCH 1:3 (FLAGS)\r\n');
    assert.match(flags, /^\* 1 FETCH \(FLAGS \(\\Seen\)\)\r\n\* 2 FETCH \(FLAGS \(\\Answered\)\)\r\n/);
    assert.match(await c.send('f UID STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\\Draft)\r\n'), /^f OK \[MODIFIED 1\] /m);
    assert.match(await c.send('g STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Draft)\r\n'), /^g BAD /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mod-sequences survive a restart; a flag changed in the file name by another program gets a new one; ENABLE', async () => {
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(MSG(1));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS (\\Seen)\r\n', 'c');
    const before = Number(/MODSEQ \((\d+)\)/.exec(await c.send('d FETCH 1 MODSEQ\r\n'))?.[1]);
    c.transport.loseConnection();
    const again = new IMAP4Factory({ hostname: 'h', portal: factory.portal, clock: factory.clock, allowPlaintextAuth: true });
    const d = connect(again);
    assert.equal(highest(await d.send('a LOGIN alice secret\r\nb EXAMINE INBOX\r\n', 'b')), before);
    assert.match(await d.send('c ENABLE CONDSTORE\r\n'), /^\* ENABLED CONDSTORE\r\nc OK/);
    const cur = join(maildir.path, 'cur');
    const [name] = readdirSync(cur);
    renameSync(join(cur, name!), join(cur, name!.replace(/:2,.*$/, ':2,FS')));
    const noop = await d.send('d NOOP\r\n');
    assert.match(noop, new RegExp(`^\\* 1 FETCH \\(UID 1 MODSEQ \\(${before + 1}\\) FLAGS \\(\\\\Seen \\\\Flagged\\)\\)\r\n`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
