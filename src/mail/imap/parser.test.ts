// The IMAP command reader: the grammar, LITERAL+, limits, and fuzzing with seeded random input cut every way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1Bytes, randomBytes, seededRandom, splitEvery, splitRandom } from '../../testing/index.js';
import { IMAPCommandReader, type IMAPReaderEvent } from './framer.js';
import { parseFetchAttribute, parseFetchItems } from './fetch-att.js';
import { parseMime, bodyStructure } from './mime.js';
import { formatSequenceSet, inSequenceSet, parseSequenceSet } from './sequence.js';
import type { IMAPValue } from './values.js';
import { IMAPLimitError, IMAPParseError } from '../errors.js';
import type { IMAPLimits } from '../limits.js';

function readAll(chunks: Uint8Array[], limits: Partial<IMAPLimits> = {}): IMAPReaderEvent[] {
  const reader = new IMAPCommandReader(limits);
  const events: IMAPReaderEvent[] = [];
  for (const c of chunks) {
    reader.feed(c);
    for (let e = reader.next(); e !== undefined; e = reader.next()) events.push(e);
  }
  return events;
}

/** A readable summary of events, for comparing runs. */
function show(events: IMAPReaderEvent[]): string {
  return events
    .map((e) => {
      if (e.type === 'command') return `${e.command.tag} ${e.command.name} ${e.command.args.map(showValue).join(' ')}`;
      if (e.type === 'error') return `ERR(${e.error.tag}) ${e.error.code}`;
      if (e.type === 'line') return `LINE ${e.text}`;
      return '+';
    })
    .join('\n');
}

function showValue(v: IMAPValue): string {
  if (v.type === 'atom') return v.value;
  if (v.type === 'list') return `(${v.items.map(showValue).join(' ')})`;
  return `${v.literal ? 'L' : 'Q'}<${Buffer.from(v.value).toString('latin1')}>`;
}

test('atoms, quoted strings with escapes, nested lists, and a sync literal with its continuation', () => {
  const events = readAll([latin1Bytes('a1 STORE 1:3,5,* +FLAGS (\\Seen (x "q \\"u\\" \\\\")) {5}\r\nhello "x"\r\n')]);
  assert.equal(show(events), '+\na1 STORE 1:3,5,* +FLAGS (\\Seen (x Q<q "u" \\>)) L<hello> Q<x>');
});

test('LITERAL+ asks for no continuation; literals may hold CRLF and any byte', () => {
  const events = readAll([latin1Bytes('A APPEND INBOX (\\Seen) {7+}\r\nab\r\n\0\xffx\r\n')]);
  assert.equal(show(events), 'A APPEND INBOX (\\Seen) L<ab\r\n\0\xffx>');
});

test('fetch attributes with sections holding lists and partials are one atom', () => {
  const events = readAll([latin1Bytes('t UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (FROM "TO")] BODY[1.2]<0.100>)\r\n')]);
  const c = events[0]!;
  assert.equal(c.type, 'command');
  if (c.type !== 'command') return;
  const items = parseFetchItems(c.command.args[2], c.command.tag);
  assert.deepEqual(items[1], { type: 'body', peek: true, section: { part: [], text: 'HEADER.FIELDS', fields: ['FROM', 'TO'] }, partial: undefined, responseName: 'BODY[HEADER.FIELDS (FROM "TO")]' });
  assert.deepEqual(items[2], { type: 'body', peek: false, section: { part: [1, 2], text: '', fields: [] }, partial: { offset: 0, length: 100 }, responseName: 'BODY[1.2]<0>' });
  assert.deepEqual(parseFetchAttribute('body[2.MIME]'), { type: 'body', peek: false, section: { part: [2], text: 'MIME', fields: [] }, partial: undefined, responseName: 'BODY[2.MIME]' });
  assert.equal(parseFetchItems({ type: 'atom', value: 'fast' }).length, 3);
  for (const bad of ['BODY[MIME]', 'BODY[1.]', 'BODY[HEADER.FIELDS]', 'BODY[0]', 'BODY[1]<0.0>', 'BODY[TEXT (A)]', 'BODYX', 'BODY[1]<1>']) {
    assert.throws(() => parseFetchAttribute(bad, 'T'), (e: unknown) => e instanceof IMAPParseError && e.tag === 'T', bad);
  }
});

test('sequence sets stay ranges: membership with * and reversed ranges, no expansion of huge ranges', () => {
  const set = parseSequenceSet('1:3,9:7,20:*');
  assert.ok(inSequenceSet(set, 2, 100) && inSequenceSet(set, 8, 100) && inSequenceSet(set, 50, 100));
  assert.ok(!inSequenceSet(set, 5, 100) && !inSequenceSet(set, 101, 100));
  assert.ok(inSequenceSet(parseSequenceSet('1:4294967295'), 4000000000, 5));
  for (const bad of ['', '0', '1:', ',1', '1,,2', '4294967296', 'a', '1:2:3']) assert.throws(() => parseSequenceSet(bad), IMAPParseError, bad);
  assert.equal(formatSequenceSet([5, 1, 2, 3, 9, 3]), '1:3,5,9');
});

test('grammar errors carry the tag when it was readable and the next command still parses', () => {
  const events = readAll([latin1Bytes('x1 LOGIN "unterminated\r\nx2 NOOP )\r\n* NOOP\r\nx3 FETCH 1 BODY[1\r\nx4  NOOP\r\nx5 NOOP\r\n')]);
  assert.equal(show(events), 'ERR(x1) TORSION_IMAP_PARSE\nERR(x2) TORSION_IMAP_PARSE\nERR() TORSION_IMAP_PARSE\nERR(x3) TORSION_IMAP_PARSE\nERR(x4) TORSION_IMAP_PARSE\nx5 NOOP ');
});

test('limits: an overlong line is dropped without being buffered, then reading goes on', () => {
  const reader = new IMAPCommandReader({ maxCommandLength: 100 });
  reader.feed(latin1Bytes('a1 NOOP '));
  for (let i = 0; i < 1000; i++) {
    reader.feed(new Uint8Array(10_000).fill(0x61));
    assert.equal(reader.next(), undefined);
  }
  reader.feed(latin1Bytes('\r\na2 NOOP\r\n'));
  const first = reader.next();
  assert.ok(first?.type === 'error' && first.error instanceof IMAPLimitError && first.error.tag === 'a1');
  assert.equal(show([reader.next()!]), 'a2 NOOP ');
});

test('limits: a too-large sync literal is refused before its bytes; a too-large LITERAL+ is swallowed', () => {
  const sync = readAll([latin1Bytes('a APPEND INBOX {1000}\r\nb NOOP\r\n')], { maxLiteralSize: 100 });
  assert.equal(show(sync), 'ERR(a) TORSION_IMAP_LIMIT\nb NOOP ');
  const plus = readAll([latin1Bytes(`a APPEND INBOX {200+}\r\n${'b NOOP\r\n'.repeat(25)} x {3+}\r\nabc\r\nc NOOP\r\n`)], { maxLiteralSize: 100 });
  assert.equal(show(plus), 'ERR(a) TORSION_IMAP_LIMIT\nc NOOP ');
  const many = readAll([latin1Bytes('a X {1}\r\n1 {1}\r\n2 {1}\r\n3\r\nb NOOP\r\n')], { maxLiterals: 2 });
  assert.equal(show(many), '+\n+\nERR(a) TORSION_IMAP_LIMIT\nERR(3) TORSION_IMAP_PARSE\nb NOOP ');
  const total = readAll([latin1Bytes('a X {60+}\r\n' + 'y'.repeat(60) + ' {60+}\r\n' + 'z'.repeat(60) + '\r\nb NOOP\r\n')], { maxLiteralSize: 100, maxCommandSize: 100 });
  assert.equal(show(total), 'ERR(a) TORSION_IMAP_LIMIT\nb NOOP ');
});

test('limits: nesting deeper than maxNestingDepth is refused, in lists and in sections', () => {
  assert.equal(show(readAll([latin1Bytes(`a X ${'('.repeat(5)}${')'.repeat(5)}\r\n`)], { maxNestingDepth: 4 })), 'ERR(a) TORSION_IMAP_LIMIT');
  assert.equal(show(readAll([latin1Bytes(`a X ${'('.repeat(4)}${')'.repeat(4)}\r\n`)], { maxNestingDepth: 4 })), 'a X (((())))');
  assert.equal(show(readAll([latin1Bytes(`a X BODY[${'('.repeat(5)}${')'.repeat(5)}]\r\n`)], { maxNestingDepth: 4 })), 'ERR(a) TORSION_IMAP_LIMIT');
  const deep = `a X ${'('.repeat(100_000)}\r\n`;
  assert.equal(show(readAll([latin1Bytes(deep)], { maxCommandLength: 200_000 })), 'ERR(a) TORSION_IMAP_LIMIT');
});

test('raw lines for AUTHENTICATE and IDLE are handed on unparsed', () => {
  const reader = new IMAPCommandReader();
  reader.feed(latin1Bytes('a AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nb NOOP\r\n'));
  assert.equal(show([reader.next()!]), 'a AUTHENTICATE PLAIN');
  reader.expectRawLine();
  assert.equal(show([reader.next()!, reader.next()!]), 'LINE AGFsaWNlAHNlY3JldA==\nb NOOP ');
});

test('takeBuffered hands over and forgets what was pipelined (no STARTTLS injection)', () => {
  const reader = new IMAPCommandReader();
  reader.feed(latin1Bytes('a STARTTLS\r\nb LOGIN x y\r\n'));
  assert.equal(show([reader.next()!]), 'a STARTTLS ');
  assert.equal(Buffer.from(reader.takeBuffered()).toString(), 'b LOGIN x y\r\n');
  assert.equal(reader.next(), undefined);
});

const SESSION = latin1Bytes(
  'a1 LOGIN {5}\r\nalice "se\\"cret"\r\na2 SELECT INBOX\r\na3 FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.10>)\r\n' +
    'a4 APPEND Drafts (\\Draft) "05-Dec-2026 10:00:00 +0000" {12+}\r\nhi\r\nthere\r\n\r\n a5 SEARCH OR (SEEN FROM "bob") NOT DELETED\r\n' +
    `a6 NOOP ${'x'.repeat(200)}\r\na7 X {500}\r\na8 X (((((((()))))))))\r\na9 LOGOUT\r\n`,
);

test('a whole session reads the same cut into any pieces', () => {
  const limits = { maxCommandLength: 150, maxLiteralSize: 100, maxNestingDepth: 6 };
  const whole = show(readAll([SESSION], limits));
  assert.match(whole, /a9 LOGOUT $/);
  assert.match(whole, /ERR\(a6\) TORSION_IMAP_LIMIT/);
  for (let size = 1; size <= 40; size++) assert.equal(show(readAll(splitEvery(SESSION, size), limits)), whole, `pieces of ${size}`);
  for (let seed = 1; seed <= 100; seed++) assert.equal(show(readAll(splitRandom(seededRandom(seed), SESSION, 64), limits)), whole, `seed ${seed}`);
});

const WORDS = ['a1 ', 'NOOP', 'FETCH', ' ', '(', ')', '"', '\\', '{', '}', '{3}', '{2+}', '{99999999999}', '\r\n', '\n', '\r', '[', ']', '<', '>', 'BODY[1.2]<0.5>', '*', '1:*', '\0', '\xff', 'x'];

test('fuzz: random input (500 seeds) never throws, gives the same events however cut, and buffers within limits', () => {
  const limits = { maxCommandLength: 120, maxLiteralSize: 50, maxNestingDepth: 5, maxLiterals: 3 };
  for (let seed = 1; seed <= 500; seed++) {
    const random = seededRandom(seed);
    let s = '';
    for (let i = 0; i < 80; i++) s += random() < 0.85 ? WORDS[Math.floor(random() * WORDS.length)]! : String.fromCharCode(...randomBytes(random, 2, []));
    const input = latin1Bytes(s);
    const whole = show(readAll([input], limits));
    assert.equal(show(readAll(splitRandom(random, input, 7), limits)), whole, `seed ${seed}`);
    for (const event of readAll([input], limits)) {
      if (event.type === 'error') assert.ok(event.error instanceof IMAPParseError, `seed ${seed}`);
    }
  }
});

test('fuzz: the MIME parser takes any bytes (300 seeds) and bounds its depth', () => {
  const words = ['Content-Type: multipart/mixed; boundary=B\r\n', '\r\n', '--B\r\n', '--B--\r\n', 'Content-Type: message/rfc822\r\n', 'x', ':', ';', '"'];
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    let s = '';
    for (let i = 0; i < 60; i++) s += words[Math.floor(random() * words.length)]!;
    assert.match(bodyStructure(parseMime(latin1Bytes(s))), /^\(.*\)$/s, `seed ${seed}`);
  }
  const deep = `${'Content-Type: message/rfc822\r\n\r\n'.repeat(10_000)}x`;
  assert.match(bodyStructure(parseMime(latin1Bytes(deep))), /^\("MESSAGE" "RFC822"/);
});
