// Maildir storage on a temp folder: delivery through tmp/ into new/, listing with exact wire sizes, reading,
// flags, deletion, and sessions whose deletions wait for sync().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../testing/index.js';
import { Maildir } from './maildir.js';
import { MaildirMailbox, pop3Uid } from './mailbox.js';
import { parseName, toDiskForm, toWireForm } from './names.js';

function tempMaildir(): { box: Maildir; dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-maildir-'));
  const clock = new Clock();
  clock.advance(1_700_000_000.25);
  return { box: new Maildir(join(dir, 'alice'), { clock, hostname: 'host/with:odd,chars' }), dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nline one\r\nline two\r\n');

test('delivery lands in new/ (tmp/ left empty) under a unique name recording both sizes, stored with LF ends', async () => {
  const { box, done } = tempMaildir();
  try {
    const a = await box.deliver(MESSAGE);
    const b = await box.deliver(MESSAGE);
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^1700000000\\.M250000P\\d+Q\\d+\\.host\\\\057with\\\\072odd\\\\054chars,S=${MESSAGE.length - 4},W=${MESSAGE.length}$`));
    assert.deepEqual(readdirSync(join(box.path, 'tmp')), []);
    assert.deepEqual(readdirSync(join(box.path, 'new')).sort(), [a, b].sort());
    assert.equal(readFileSync(join(box.path, 'new', a), 'utf8'), 'Subject: hi\n\nline one\nline two\n');
    const list = await box.list();
    assert.deepEqual(
      list.map((e) => e.size),
      [MESSAGE.length, MESSAGE.length],
    );
    assert.deepEqual(Buffer.from(await box.read(list[0]!)), MESSAGE, 'read back with CRLF, byte for byte');
  } finally {
    done();
  }
});

test('messages delivered in the same microsecond are listed in delivery order, past the tenth', async () => {
  const { box, done } = tempMaildir();
  try {
    const names: string[] = [];
    for (let i = 0; i < 12; i++) names.push(await box.deliver(Buffer.from(`Subject: ${i}\r\n\r\n.\r\n`)));
    assert.deepEqual((await box.list()).map((e) => e.filename), names);
  } finally {
    done();
  }
});

test('flags move a message to cur/ with :2, info; a file put there by another program is listed with its real size', async () => {
  const { box, done } = tempMaildir();
  try {
    await box.deliver(MESSAGE);
    const [entry] = await box.list();
    const flagged = await box.setFlags(entry!, ['S', 'F', 'S', 'X', 'b']);
    assert.equal(flagged.folder, 'cur');
    assert.equal(flagged.filename, `${entry!.unique}:2,FSb`);
    assert.deepEqual(readdirSync(join(box.path, 'cur')), [flagged.filename]);
    writeFileSync(join(box.path, 'cur', '1.foreign.host:2,S'), 'a\nb\n');
    const list = await box.list();
    const foreign = list.find((e) => e.unique === '1.foreign.host')!;
    assert.equal(foreign.size, 6);
    assert.equal(foreign.flags, 'S');
    // An entry listed before its flags changed is still found.
    assert.deepEqual(Buffer.from(await box.read(entry!)), MESSAGE);
    await box.remove(entry!);
    assert.deepEqual((await box.list()).map((e) => e.unique), ['1.foreign.host']);
    await box.remove(entry!);
  } finally {
    done();
  }
});

test('a mailbox session: deletions are marked, undone by undeleteMessages, applied only by sync', async () => {
  const { box, done } = tempMaildir();
  try {
    await box.deliver(MESSAGE);
    await box.deliver(Buffer.from('Subject: two\r\n\r\n2\r\n'));
    const session = await MaildirMailbox.open(box);
    assert.equal(session.listMessages().length, 2);
    session.deleteMessage(0);
    assert.equal(session.isDeleted(0), true);
    session.undeleteMessages();
    assert.equal(session.isDeleted(0), false);
    session.deleteMessage(1);
    assert.equal((await box.list()).length, 2, 'nothing gone before sync');
    await session.sync();
    const left = await box.list();
    assert.equal(left.length, 1);
    assert.equal(pop3Uid(left[0]!.unique), session.listMessages()[0]!.uid);
    await assert.rejects(session.getMessage(7).asPromise(), /no message 7/);
  } finally {
    done();
  }
});

test('line-end forms and names', () => {
  assert.equal(Buffer.from(toDiskForm(Buffer.from('a\r\nb\rc\r\n'))).toString(), 'a\nb\rc\n');
  assert.equal(Buffer.from(toWireForm(Buffer.from('a\nb\r\nc\n'))).toString(), 'a\r\nb\r\nc\r\n');
  // The indexOf-based conversions agree with their byte-by-byte definitions on random CR/LF soup.
  const slowDisk = (d: Buffer): Buffer => Buffer.from([...d].filter((b, i) => !(b === 13 && d[i + 1] === 10)));
  const slowWire = (d: Buffer): Buffer => Buffer.from([...d].flatMap((b, i) => (b === 10 && (i === 0 || d[i - 1] !== 13) ? [13, 10] : [b])));
  for (let t = 0; t < 2000; t++) {
    const d = Buffer.from(Array.from({ length: t % 23 }, () => [10, 13, 97][Math.floor(Math.random() * 3)]!));
    assert.deepEqual(Buffer.from(toDiskForm(d)), slowDisk(d), JSON.stringify(d.toString()));
    assert.deepEqual(Buffer.from(toWireForm(d)), slowWire(d), JSON.stringify(d.toString()));
  }
  assert.deepEqual(parseName('123.abc,S=10,W=12:2,SRxZx'), { unique: '123.abc,S=10,W=12', diskSize: 10, wireSize: 12, flags: 'RSx' });
  assert.equal(pop3Uid('x'.repeat(80)).length, 40);
  assert.equal(pop3Uid('short.uid'), 'short.uid');
});
