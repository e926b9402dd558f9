// SMTP smuggling (CVE-2023-51764 class): only <CRLF>.<CRLF> ends DATA. Each variant below ends DATA on some
// server; here it must neither end the message early nor let a second message through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, smtpServer } from '../test-support/smtp.js';

const SMUGGLED = 'MAIL FROM:<admin@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: forged\r\n\r\nforged\r\n';

const variants: [string, string][] = [
  ['<LF>.<LF>', '\n.\n'],
  ['<LF>.<CRLF>', '\n.\r\n'],
  ['<CR>.<CR>', '\r.\r'],
  ['<CRLF>.<LF>', '\r\n.\n'],
  ['<CR>.<CRLF>', '\r.\r\n'],
  ['<CRLF>.<CR>', '\r\n.\r'],
];

for (const [name, ending] of variants) {
  test(`${name} does not end DATA, and the message holding it is refused`, () => {
    const s = smtpServer();
    s.send('EHLO c.example\r\nMAIL FROM:<bob@other.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
    const out = s.send(`Subject: real\r\n\r\nreal${ending}${SMUGGLED}.\r\n`);
    assert.equal(s.delivered.length, 0, 'nothing delivered: not the first message, not a smuggled second');
    assert.deepEqual(codes(out), ['550'], 'one reply, for the one message, which ended at the real <CRLF>.<CRLF>');
    assert.match(out, /bare (LF|CR)/);
    assert.deepEqual(codes(s.send('NOOP\r\n')), ['250'], 'back in command mode after the real end');
  });
}

test('a message with a bare LF in its text is refused with a clear reply; a clean one is accepted', () => {
  const s = smtpServer();
  s.send('EHLO c.example\r\nMAIL FROM:<bob@other.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
  assert.equal(s.send('line one\nline two\r\n.\r\n'), '550 5.6.0 Message refused: bare LF in the text; lines must end with CRLF\r\n');
  s.send('MAIL FROM:<bob@other.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
  assert.deepEqual(codes(s.send('line one\r\n.\r\n')), ['250']);
  assert.equal(s.delivered.length, 1);
});

test('a dot line after a bare LF followed by the real end: one refused message, no second', () => {
  const s = smtpServer();
  s.send('EHLO c.example\r\nMAIL FROM:<bob@other.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
  // Each piece in its own chunk, as a smuggler splitting segments would send it.
  let out = '';
  for (const piece of ['real\n', '.\r\n', 'MAIL FROM:<x@example.test>\r\n', '\r\n.\r\n']) out += s.send(piece);
  assert.deepEqual(codes(out), ['550']);
  assert.equal(s.delivered.length, 0);
});
