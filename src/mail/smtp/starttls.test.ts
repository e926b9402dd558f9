// STARTTLS (RFC 3207): offered with TLS options, state reset after it, and pipelined plaintext never run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, smtpServer, testPortal } from '../test-support/smtp.js';

const TLS = { key: 'k', cert: 'c' };

test('STARTTLS is offered with TLS options, switches the transport, and forgets EHLO', () => {
  const s = smtpServer({ tls: TLS, portal: testPortal() });
  assert.match(s.send('EHLO c.example\r\n'), /^250[- ]STARTTLS\r$/m);
  assert.equal(s.send('STARTTLS\r\n'), '220 2.0.0 Ready to start TLS\r\n');
  assert.deepEqual(s.transport.tls?.options, TLS);
  assert.equal(s.transport.tls?.asServer, true);
  assert.deepEqual(codes(s.send('MAIL FROM:<a@b.example>\r\n')), ['503'], 'EHLO again first');
  const ehlo = s.send('EHLO c.example\r\n');
  assert.doesNotMatch(ehlo, /STARTTLS/, 'not offered twice');
  assert.match(ehlo, /AUTH PLAIN LOGIN/, 'AUTH offered now that TLS protects the connection');
  assert.deepEqual(codes(s.send('STARTTLS\r\n')), ['503']);
});

test('commands pipelined behind STARTTLS in the clear go to TLS, never run as commands (CVE-2011-0411)', () => {
  const s = smtpServer({ tls: TLS });
  s.send('EHLO c.example\r\n');
  const out = s.send('STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n');
  assert.equal(out, '220 2.0.0 Ready to start TLS\r\n', 'the injected command got no reply');
});

test('STARTTLS without TLS options is 502, with arguments 501', () => {
  assert.deepEqual(codes(smtpServer().send('EHLO c\r\nSTARTTLS\r\n')), ['250', '502']);
  assert.deepEqual(codes(smtpServer({ tls: TLS }).send('EHLO c\r\nSTARTTLS now\r\n')), ['250', '501']);
});
