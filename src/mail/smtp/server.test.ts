// The SMTP server over a StringTransport: every command, its errors, and the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, smtpServer } from '../test-support/smtp.js';

const EHLO = 'EHLO client.example\r\n';
const ENVELOPE = `${EHLO}MAIL FROM:<bob@other.example>\r\nRCPT TO:<alice@example.test>\r\n`;

test('greets, answers EHLO with its extensions, and HELO with one line', () => {
  const s = smtpServer();
  assert.match(s.transport.valueString(), /^220 mx\.example\.test ESMTP/);
  const ehlo = s.send(EHLO);
  for (const ext of ['PIPELINING', 'SIZE 26214400', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES']) assert.match(ehlo, new RegExp(`^250[- ]${ext}\\r$`, 'm'));
  assert.doesNotMatch(ehlo, /STARTTLS|AUTH/, 'neither offered without TLS options or a portal');
  assert.equal(s.send('HELO client.example\r\n'), '250 mx.example.test Hello client.example\r\n');
  assert.deepEqual(codes(s.send('HELO\r\n')), ['501']);
});

test('a whole transaction: 250 after DATA only once the message is stored, with a Received header first', () => {
  const s = smtpServer({ holdStores: true });
  assert.deepEqual(codes(s.send(`${ENVELOPE}DATA\r\n`)), ['250', '250', '250', '354']);
  const out = s.send('Subject: hi\r\n\r\n..dot-stuffed\r\nbody\r\n.\r\n');
  assert.equal(out, '', 'no reply while the store is pending');
  assert.equal(s.delivered.length, 0);
  s.pendingStores![0]!.callback(undefined);
  assert.match(s.transport.valueString(), /^250 2\.0\.0 OK: queued as [0-9A-F]{16}\r\n$/);
  const text = s.delivered[0]!.text;
  assert.match(text, /^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test with ESMTP id [0-9A-F]+\r\n\tfor <alice@example\.test>;\r\n\tThu, 01 Jan 1970 00:00:00 \+0000\r\n/);
  assert.ok(text.endsWith('Subject: hi\r\n\r\n.dot-stuffed\r\nbody\r\n'), 'dot-stuffing removed, text kept');
  assert.deepEqual(codes(s.send('RCPT TO:<alice@example.test>\r\n')), ['503'], 'the transaction is over');
});

test('commands in the wrong order get 503, unknown ones 500, and each takes its syntax', () => {
  const s = smtpServer({ limits: { maxErrors: 50 } });
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example>\r\n')), ['503'], 'MAIL before EHLO');
  s.send(EHLO);
  assert.deepEqual(codes(s.send('RCPT TO:<alice@example.test>\r\n')), ['503'], 'RCPT before MAIL');
  assert.deepEqual(codes(s.send('DATA\r\n')), ['503'], 'DATA before MAIL');
  assert.deepEqual(codes(s.send('MAIL <a@b.example>\r\n')), ['501']);
  assert.deepEqual(codes(s.send('MAIL FROM:a@b.example\r\n')), ['501'], 'no angle brackets');
  assert.deepEqual(codes(s.send('MAIL FROM:<not an address>\r\n')), ['501']);
  assert.deepEqual(codes(s.send('MAIL FROM:<>\r\n')), ['250'], 'the null sender of bounces');
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example>\r\n')), ['503'], 'nested MAIL');
  assert.deepEqual(codes(s.send('DATA\r\n')), ['554'], 'no recipients');
  assert.deepEqual(codes(s.send('RCPT TO:<>\r\n')), ['501']);
  assert.deepEqual(codes(s.send('RCPT TO:<alice@example.test> NOTIFY=NEVER\r\n')), ['555']);
  assert.deepEqual(codes(s.send('RCPT TO:<Postmaster>\r\n')), ['250'], 'RFC 5321 §4.5.1');
  assert.deepEqual(codes(s.send('DATA now\r\n')), ['501']);
  assert.deepEqual(codes(s.send('RSET\r\nNOOP\r\nVRFY alice\r\nEXPN list\r\nHELP\r\nWHAT\r\n')), ['250', '250', '252', '502', '214', '500']);
  assert.equal(s.send('QUIT\r\n'), '221 2.0.0 mx.example.test closing connection\r\n');
  assert.equal(s.transport.disconnecting, true);
});

test('MAIL parameters: SIZE over the limit is 552, BODY and SMTPUTF8 are understood, others refused', () => {
  const s = smtpServer({ limits: { maxMessageSize: 1000 } });
  s.send(EHLO);
  assert.match(s.send('MAIL FROM:<a@b.example> SIZE=1001\r\n'), /^552 5\.3\.4 /);
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example> SIZE=x\r\n')), ['501']);
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n')), ['501']);
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example> FOO=1\r\n')), ['555']);
  assert.deepEqual(codes(s.send('MAIL FROM:<jörg@b.example>\r\n')), ['553'], 'UTF-8 needs SMTPUTF8');
  assert.deepEqual(codes(s.send('MAIL FROM:<jörg@b.example> SIZE=1000 BODY=8BITMIME SMTPUTF8\r\n')), ['250']);
  assert.deepEqual(codes(s.send('RCPT TO:<alice@example.test>\r\nDATA\r\nSubject: ü\r\n\r\nü\r\n.\r\n')), ['250', '354', '250']);
  assert.match(s.delivered[0]!.text, /with UTF8SMTP id/);
  const helo = smtpServer();
  helo.send('HELO c.example\r\n');
  assert.deepEqual(codes(helo.send('MAIL FROM:<a@b.example> SIZE=10\r\n')), ['555'], 'parameters need EHLO');
});

test('a message past the size limit is refused with 552 at its end, and nothing of it is kept', () => {
  const s = smtpServer({ limits: { maxMessageSize: 300 } });
  s.send(`${ENVELOPE}DATA\r\n`);
  const out = s.send(`${'x'.repeat(80)}\r\n`.repeat(10) + '.\r\n');
  assert.match(out, /^552 5\.3\.4 Message too big/);
  assert.equal(s.delivered.length, 0);
  assert.deepEqual(codes(s.send('NOOP\r\n')), ['250'], 'the session goes on');
});

test('recipients: unknown local users 550 5.1.1, other domains 550 5.7.1 (no open relay), too many 452', () => {
  const s = smtpServer({ limits: { maxRecipients: 2 } });
  s.send(`${EHLO}MAIL FROM:<bob@other.example>\r\n`);
  assert.match(s.send('RCPT TO:<nobody@example.test>\r\n'), /^550 5\.1\.1 <nobody@example\.test>: No such user here\r\n$/);
  assert.match(s.send('RCPT TO:<victim@elsewhere.example>\r\n'), /^550 5\.7\.1 <victim@elsewhere\.example>: Relaying denied/);
  assert.deepEqual(codes(s.send('RCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n')), ['250', '250', '452']);
  s.send('DATA\r\nhello\r\n.\r\n');
  assert.deepEqual(
    s.delivered.map((d) => d.to),
    ['a@example.test', 'b@example.test'],
  );
});

test('pipelined commands are answered in order, one reply each, even when a store is pending', () => {
  const s = smtpServer({ holdStores: true });
  const out = s.send(`${ENVELOPE}RCPT TO:<nobody@example.test>\r\nDATA\r\nhi\r\n.\r\nMAIL FROM:<c@d.example>\r\nNOOP\r\n`);
  assert.deepEqual(codes(out), ['250', '250', '250', '550', '354'], 'nothing after the text is read while it is stored');
  assert.equal(s.transport.producerState, 'paused', 'the socket is not read meanwhile');
  s.transport.clear();
  s.pendingStores![0]!.callback(undefined);
  assert.deepEqual(codes(s.transport.valueString()), ['250', '250', '250']);
  assert.equal(s.transport.producerState, 'producing');
});

test('a failing store answers 451 and the client may try again', () => {
  const s = smtpServer({ holdStores: true });
  s.send(`${ENVELOPE}DATA\r\nhi\r\n.\r\n`);
  s.transport.clear();
  s.pendingStores![0]!.errback(new Error('disk full'));
  assert.match(s.transport.valueString(), /^451 4\.3\.0 /);
});

test('over-long command lines are refused with 500 and not buffered', () => {
  const s = smtpServer({ limits: { maxCommandLength: 100 } });
  const out = s.send(`NOOP ${'x'.repeat(5000)}`);
  assert.deepEqual(codes(out), ['500']);
  assert.deepEqual(codes(s.send(`${'y'.repeat(5000)}\r\nNOOP\r\n`)), ['250'], 'the rest of the long line is skipped, then commands go on');
});

test('a long text line is refused with 500 5.5.2 at the end of the message', () => {
  const s = smtpServer({ limits: { maxDataLineLength: 100 } });
  s.send(`${ENVELOPE}DATA\r\n`);
  assert.match(s.send(`${'z'.repeat(5000)}\r\n.\r\n`), /^500 5\.5\.2 /);
  assert.equal(s.delivered.length, 0);
});

test('too many errors close the connection with 421', () => {
  const s = smtpServer({ limits: { maxErrors: 3 } });
  const out = s.send('BAD\r\nBAD\r\nBAD\r\nNOOP\r\n');
  assert.deepEqual(codes(out), ['500', '500', '500', '421']);
  assert.equal(s.transport.disconnecting, true);
});

test('the command timeout comes from the clock given: 421 4.4.2 after it, activity restarts it', () => {
  const s = smtpServer({ limits: { commandTimeout: 60 } });
  s.clock.advance(59);
  s.send('NOOP\r\n');
  s.clock.advance(59);
  assert.equal(s.transport.disconnecting, false);
  s.transport.clear();
  s.clock.advance(1);
  assert.match(s.transport.valueString(), /^421 4\.4\.2 /);
  assert.equal(s.transport.disconnecting, true);
});

test('bare LF in a command is refused with a clear reply', () => {
  const s = smtpServer();
  assert.match(s.send('NOOP\n'), /^500 5\.5\.2 Bare LF received/);
});

test('closeAll tells every open connection 421 4.3.2 and closes it; a message in progress is dropped', () => {
  const s = smtpServer();
  s.send('EHLO c.example\r\nMAIL FROM:<b@o.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nhalf a message\r\n');
  assert.equal(s.proto.factory.connections.size, 1);
  s.transport.clear();
  s.proto.factory.closeAll();
  assert.equal(s.transport.valueString(), '421 4.3.2 mx.example.test shutting down\r\n');
  assert.equal(s.transport.disconnecting, true);
  s.proto.connectionLost(undefined as never);
  assert.equal(s.proto.factory.connections.size, 0);
  assert.equal(s.delivered.length, 0);
});
