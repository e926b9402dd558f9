// The IMAP server over StringTransports on a real (temporary) maildir: login rules, SELECT, FETCH, STORE,
// SEARCH, APPEND, EXPUNGE, two sessions seeing each other's changes, IDLE pushing them, UIDs kept across restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { eventually } from '../../testing/index.js';
import { encodePlain } from '../account.js';
import { connect, setup } from '../test-support/imap-session.js';
import { IMAP4Factory } from './factory.js';

const MSG1 = 'From: bob@example.test\r\nSubject: hello\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\nfirst body\r\n';
const MSG2 = 'From: carol@example.test\r\nSubject: second\r\n\r\nsecond body, longer\r\n';

test('LOGIN is refused without TLS unless plaintext is allowed; LOGINDISABLED is advertised', async () => {
  const { factory, dir } = setup({ allowPlaintextAuth: false });
  try {
    const c = connect(factory);
    assert.match(c.transport.valueString(), /^\* OK \[CAPABILITY IMAP4rev1 .*LOGINDISABLED/);
    assert.match(await c.send('a LOGIN alice secret\r\n'), /^a NO \[PRIVACYREQUIRED\]/);
    assert.match(await c.send(`b AUTHENTICATE PLAIN ${encodePlain('alice', 'secret')}\r\n`), /^b NO \[PRIVACYREQUIRED\]/);
    const s = connect(factory, true);
    assert.match(await s.send('a LOGIN alice secret\r\n'), /^a OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad password, AUTHENTICATE PLAIN by continuation, and too many failures close', async () => {
  const { factory, dir } = setup({ limits: { maxAuthFailures: 2 } });
  try {
    const c = connect(factory);
    assert.match(await c.send('a LOGIN alice wrong\r\n'), /^a NO \[AUTHENTICATIONFAILED\]/);
    c.transport.clear();
    c.push('b AUTHENTICATE PLAIN\r\n');
    assert.equal(c.transport.valueString(), '+ \r\n');
    assert.match(await c.send(`${encodePlain('alice', 'secret')}\r\nc NOOP\r\n`), /^b OK \[CAPABILITY [^\]]*\] Logged in\r\nc OK/);
    const d = connect(factory);
    await d.send('a LOGIN alice x\r\n');
    assert.match(await d.send('b LOGIN alice y\r\n'), /^b NO [^\r]*\r\n\* BYE Too many failed logins/);
    assert.ok(d.transport.disconnecting);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SELECT, FETCH with sections and partials, implicit \\Seen, STORE, SEARCH, EXPUNGE, UIDs', async () => {
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(Buffer.from(MSG1));
    await maildir.deliver(Buffer.from(MSG2));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\n');
    const sel = await c.send('b SELECT inbox\r\n');
    assert.match(sel, /\* 2 EXISTS\r\n\* 2 RECENT\r\n\* OK \[UNSEEN 1\][^\r]*\r\n\* OK \[UIDVALIDITY 1700000000\][^\r]*\r\n\* OK \[UIDNEXT 3\]/);
    assert.match(sel, /b OK \[READ-WRITE\]/);
    const f = await c.send('c FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.5>)\r\n');
    assert.ok(f.includes(`* 1 FETCH (UID 1 RFC822.SIZE ${MSG1.length} FLAGS (\\Recent) BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n BODY[TEXT]<0> {5}\r\nfirst)\r\n`), f);
    const body = await c.send('d UID FETCH 2 BODY[]\r\n');
    assert.ok(body.includes(`* 2 FETCH (UID 2 BODY[] {${MSG2.length}}\r\n${MSG2} FLAGS (\\Seen))\r\n`), body);
    assert.match(await c.send('e SEARCH UNSEEN\r\n'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send('e2 UID SEARCH OR SUBJECT second FROM bob\r\n'), /^\* SEARCH 1 2\r\n/);
    assert.match(await c.send('e3 SEARCH NOT SEEN LARGER 10\r\n'), /^\* SEARCH 1\r\n/);
    assert.match(await c.send('f STORE 1 +FLAGS (\\Deleted \\Flagged)\r\n'), /^\* 1 FETCH \(FLAGS \(\\Flagged \\Deleted\)\)\r\nf OK/);
    assert.match(await c.send('g EXPUNGE\r\n'), /^\* 1 EXPUNGE\r\ng OK/);
    assert.match(await c.send('h FETCH 1 (UID FLAGS)\r\n'), /^\* 1 FETCH \(UID 2 FLAGS \(\\Seen\)\)/);
    assert.match(await c.send('i APPEND INBOX (\\Draft) {12+}\r\nSubject: x\r\n\r\n', 'i'), /\* 2 EXISTS\r\ni OK/);
    assert.match(await c.send('j UID FETCH 3 FLAGS\r\n'), /\* 2 FETCH \(UID 3 FLAGS \(\\Draft\)\)/);
    assert.match(await c.send('k FETCH 1 ENVELOPE\r\n'), /^\* 1 FETCH \(ENVELOPE \(NIL "second" \(\(NIL NIL "carol" "example\.test"\)\) \(\(NIL NIL "carol" "example\.test"\)\) \(\(NIL NIL "carol" "example\.test"\)\) NIL NIL NIL NIL NIL\)\)\r\nk OK/);
    assert.match(await c.send('l FETCH 1 BODY[0]\r\n'), /^l BAD/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two sessions see each other\'s changes; IDLE pushes them; UIDs survive a new factory', async () => {
  const { factory, maildir, dir, clock } = setup();
  try {
    await maildir.deliver(Buffer.from(MSG1));
    const a = connect(factory);
    const b = connect(factory);
    await a.send('a LOGIN alice secret\r\na2 SELECT INBOX\r\n');
    await b.send('b LOGIN alice secret\r\nb2 SELECT INBOX\r\n');
    b.transport.clear();
    b.push('b3 IDLE\r\n');
    await eventually(() => /\+ idling/.test(b.transport.valueString()), { timeout: 5 });
    await a.send('a3 STORE 1 +FLAGS.SILENT (\\Seen)\r\n');
    await eventually(() => /\* 1 FETCH \(UID 1 FLAGS \(\\Seen\)\)/.test(b.transport.valueString()), { timeout: 5 });
    await maildir.deliver(Buffer.from(MSG2));
    clock.advance(30);
    await eventually(() => /\* 2 EXISTS/.test(b.transport.valueString()), { timeout: 5 });
    await a.send('a4 STORE 1 +FLAGS (\\Deleted)\r\n');
    assert.match(await a.send('a5 EXPUNGE\r\n'), /\* 1 EXPUNGE\r\n\* 1 EXISTS|\* 1 EXPUNGE/);
    await eventually(() => /\* 1 EXPUNGE/.test(b.transport.valueString()), { timeout: 5 });
    b.push('DONE\r\n');
    await eventually(() => /b3 OK IDLE terminated/.test(b.transport.valueString()), { timeout: 5 });

    const again = new IMAP4Factory({ hostname: 'x', portal: factory.portal, clock, allowPlaintextAuth: true });
    const c = connect(again);
    await c.send('c LOGIN alice secret\r\n');
    const sel = await c.send('c2 SELECT INBOX\r\n');
    assert.match(sel, /UIDVALIDITY 1700000000\]/);
    assert.match(await c.send('c3 FETCH 1 UID\r\n'), /\* 1 FETCH \(UID 2\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('idle timeout is at least 30 minutes, then BYE', async () => {
  const { factory, dir, clock } = setup();
  try {
    const c = connect(factory);
    clock.advance(29 * 60);
    assert.ok(!c.transport.disconnecting);
    clock.advance(61);
    assert.match(c.transport.valueString(), /\* BYE Autologout/);
    assert.ok(c.transport.disconnecting);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors: BAD answers, unknown commands before login, and too many BADs close', async () => {
  const { factory, dir } = setup({ limits: { maxErrors: 3 } });
  try {
    const c = connect(factory);
    assert.match(await c.send('a SELECT INBOX\r\n'), /^a BAD/);
    assert.match(await c.send('b LOGIN "x\r\n'), /^b BAD/);
    c.transport.clear();
    c.push('c FOO\r\n');
    assert.match(c.transport.valueString(), /c BAD[^\r]*\r\n\* BYE Too many errors/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const MULTI =
  'From: "Bob B" <bob@example.test>, carol@example.test\r\nTo: alice@example.test\r\nSubject: parts\r\nMessage-ID: <m1@example.test>\r\n' +
  'Content-Type: multipart/mixed; boundary="XX"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n' +
  '--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n--YY\r\n\r\nplain\r\n--YY\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--YY--\r\n' +
  '--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--XX--\r\nepilogue\r\n';

test('MIME: BODYSTRUCTURE of nested multiparts, ENVELOPE addresses, BODY[n.m] and BODY[n.MIME]', async () => {
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(Buffer.from(MULTI));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\nb SELECT INBOX\r\n', 'b');
    const bs = await c.send('c FETCH 1 BODYSTRUCTURE\r\n');
    assert.ok(
      bs.startsWith(
        '* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 5 1)' +
          '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 8 1) "ALTERNATIVE")' +
          '("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 4) "MIXED"))\r\n',
      ),
      bs,
    );
    const env = await c.send('d FETCH 1 ENVELOPE\r\n');
    assert.ok(env.includes('"parts" (("Bob B" NIL "bob" "example.test")(NIL NIL "carol" "example.test"))'), env);
    assert.ok(env.includes('"<m1@example.test>")'), env);
    const parts = await c.send('e FETCH 1 (BODY.PEEK[2.2] BODY.PEEK[3.MIME] BODY.PEEK[1])\r\n');
    assert.ok(parts.includes('BODY[2.2] {8}\r\n<b>x</b>'), parts);
    assert.ok(parts.includes('BODY[3.MIME] {77}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'), parts);
    assert.ok(parts.includes('BODY[1] {5}\r\nhello)'), parts);
    assert.match(await c.send('f FETCH 1 BODY.PEEK[4]\r\n'), /BODY\[4\] \{0\}\r\n\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Nagle's algorithm is off: a tagged answer never waits for the client's delayed ACK of the untagged lines before it", () => {
  const { factory, dir } = setup();
  try {
    const c = connect(factory);
    assert.equal(c.transport.getTcpNoDelay(), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
