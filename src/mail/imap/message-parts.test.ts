// headerValue walks the header lines itself; it must answer what looking the name up in headerFields answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../testing/index.js';
import { headerFields, headerValue } from './message-parts.js';

/** The lookup headerValue replaced, kept as the definition. */
function byFields(text: Uint8Array, name: string): string {
  const s = Buffer.from(text).toString('utf8');
  const end = s.startsWith('\r\n') ? 2 : s.includes('\r\n\r\n') ? s.indexOf('\r\n\r\n') + 4 : s.length;
  const field = headerFields(s.slice(0, end)).find((f) => f.name === name.toUpperCase());
  return field === undefined ? '' : field.text.slice(field.text.indexOf(':') + 1).replace(/\r\n/g, '').trim();
}

test('headerValue agrees with the headerFields lookup on random headers (folding, colons, blank lines, bodies)', () => {
  const pieces = ['Subject', 'subject ', 'SUBJECT', 'From', 'X', ':', ': ', ' ', '\t', '\r\n', '\r\n ', '\r\n\t', '\r\n\r\n', '\n', '\r', 'a', 'ü', '=?utf-8?q?x?=', 'body'];
  for (let seed = 1; seed <= 3000; seed++) {
    const random = seededRandom(seed);
    const text = Array.from({ length: Math.floor(random() * 30) }, () => pieces[Math.floor(random() * pieces.length)]!).join('');
    const bytes = Buffer.from(text);
    for (const name of ['SUBJECT', 'from', 'x', 'To']) assert.equal(headerValue(bytes, name), byFields(bytes, name), `seed ${seed}: ${JSON.stringify(text)} ${name}`);
  }
  assert.equal(headerValue(Buffer.from('Subject: a\r\n b\r\nSubject: c\r\n\r\nSubject: d\r\n'), 'subject'), 'a b');
});
