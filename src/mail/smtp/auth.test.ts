// SMTP AUTH (RFC 4954) PLAIN and LOGIN through torsion/cred's Portal, offered only over TLS unless allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, smtpServer, testPortal } from '../test-support/smtp.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('AUTH is not offered, and is refused with 538, on a connection without TLS', () => {
  const s = smtpServer({ portal: testPortal() });
  assert.doesNotMatch(s.send('EHLO c.example\r\n'), /AUTH/);
  assert.match(s.send(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), /^538 5\.7\.11 /);
});

test('over TLS: AUTH PLAIN with an initial response, then relaying is allowed', () => {
  const s = smtpServer({ portal: testPortal(), secure: true });
  assert.match(s.send('EHLO c.example\r\n'), /^250[- ]AUTH PLAIN LOGIN\r$/m);
  assert.match(s.send(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), /^235 2\.7\.0 /);
  assert.deepEqual(codes(s.send('AUTH PLAIN x\r\n')), ['503'], 'once only');
  assert.deepEqual(codes(s.send('MAIL FROM:<alice@example.test>\r\nRCPT TO:<friend@elsewhere.example>\r\nDATA\r\nhi\r\n.\r\n')), ['250', '250', '354', '250']);
  assert.equal(s.delivered[0]!.to, 'friend@elsewhere.example');
  assert.match(s.delivered[0]!.text, /with ESMTPSA id/);
});

test('AUTH PLAIN without an initial response, and AUTH LOGIN, with --allow-plaintext-auth', () => {
  const s = smtpServer({ portal: testPortal(), allowPlaintextAuth: true });
  assert.match(s.send('EHLO c.example\r\n'), /AUTH PLAIN LOGIN/);
  assert.equal(s.send('AUTH PLAIN\r\n'), '334 \r\n');
  assert.deepEqual(codes(s.send(`${b64('\0alice\0secret')}\r\n`)), ['235']);
  const l = smtpServer({ portal: testPortal(), allowPlaintextAuth: true });
  l.send('EHLO c.example\r\n');
  assert.equal(l.send('AUTH LOGIN\r\n'), '334 VXNlcm5hbWU6\r\n');
  assert.equal(l.send(`${b64('alice')}\r\n`), '334 UGFzc3dvcmQ6\r\n');
  assert.deepEqual(codes(l.send(`${b64('secret')}\r\n`)), ['235']);
});

test('wrong passwords get 535 and, past the limit, the connection is closed; cancel and garbage get 501', () => {
  const s = smtpServer({ portal: testPortal(), secure: true, limits: { maxAuthFailures: 2 } });
  s.send('EHLO c.example\r\n');
  assert.equal(s.send('AUTH LOGIN\r\n*\r\n'), '334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n');
  assert.deepEqual(codes(s.send('AUTH PLAIN !!!\r\n')), ['501']);
  assert.deepEqual(codes(s.send('AUTH CRAM-MD5\r\n')), ['504']);
  assert.match(s.send(`AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`), /^535 5\.7\.8 /);
  assert.deepEqual(codes(s.send(`AUTH PLAIN ${b64('\0nobody\0secret')}\r\n`)), ['535', '421']);
  assert.equal(s.transport.disconnecting, true);
});

test('AUTH is refused without a portal, before EHLO, and inside a transaction', () => {
  assert.deepEqual(codes(smtpServer({ secure: true }).send('EHLO c\r\nAUTH PLAIN\r\n')), ['250', '502']);
  const s = smtpServer({ portal: testPortal(), secure: true });
  assert.deepEqual(codes(s.send('AUTH PLAIN\r\n')), ['503']);
  assert.deepEqual(codes(s.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nAUTH PLAIN\r\n')), ['250', '250', '503']);
});
