// The sans-I/O codec: line splitting under every chunking, commands, status lines, dot-stuffing both
// ways, wildmats (including a pattern that would freeze a backtracking matcher), ranges and dates; fuzzed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom, splitEvery, splitRandom } from '../testing/index.js';
import {
  LineSplitter,
  dotStuff,
  dotUnstuff,
  encodeBlock,
  formatCommand,
  formatDateTime,
  isMessageId,
  parseCommand,
  parseDateTime,
  parseRange,
  parseStatusLine,
  wildmatMatch,
} from './codec.js';
import { NNTPLineTooLongError, NNTPSyntaxError } from './errors.js';

function linesOf(chunks: Uint8Array[], max = 1000): string[] {
  const s = new LineSplitter(max);
  const out: string[] = [];
  for (const c of chunks) {
    s.push(c);
    out.push(...s.lines());
  }
  return out;
}

test('LineSplitter gives the same lines for every chunk size, CRLF or LF', () => {
  const input = Buffer.from('GROUP a\r\nSTAT 1\nDATE\r\n\r\nrest', 'latin1');
  for (let size = 1; size <= input.length; size++) {
    assert.deepEqual(linesOf(splitEvery(input, size)), ['GROUP a', 'STAT 1', 'DATE', ''], `size ${size}`);
  }
});

test('LineSplitter refuses a line over its limit, ended or not, and keeps the rest for TLS', () => {
  const s = new LineSplitter(5);
  s.push(Buffer.from('12345\r\n123456\r\n'));
  assert.equal(s.nextLine(), '12345');
  assert.throws(() => s.nextLine(), NNTPLineTooLongError);
  const u = new LineSplitter(5);
  u.push(Buffer.from('1234567'));
  assert.throws(() => u.nextLine(), NNTPLineTooLongError);
  const t = new LineSplitter(50);
  t.push(Buffer.from('STARTTLS\r\n\x16\x03\x01'));
  assert.equal(t.nextLine(), 'STARTTLS');
  assert.deepEqual([...t.takeRest()], [0x16, 0x03, 0x01]);
  assert.equal(t.held, 0);
});

test('fuzz: chunked and whole input give the same lines or the same error', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const input = randomBytes(random, 300, [0x0d, 0x0a, 0x2e, 0x20, 0x41]);
    const run = (chunks: Uint8Array[]) => {
      try {
        return linesOf(chunks, 40);
      } catch (e) {
        assert.ok(e instanceof NNTPLineTooLongError, `seed ${seed}: ${String(e)}`);
        return 'too long';
      }
    };
    assert.deepEqual(run(splitRandom(random, input, 17)), run([input]), `seed ${seed}`);
  }
});

test('parseCommand upper-cases the verb and splits on spaces and tabs', () => {
  assert.deepEqual(parseCommand('group  local.test'), { verb: 'GROUP', args: ['local.test'] });
  assert.deepEqual(parseCommand('LIST\tACTIVE *'), { verb: 'LIST', args: ['ACTIVE', '*'] });
  assert.throws(() => parseCommand('   '), NNTPSyntaxError);
  assert.throws(() => parseCommand('GROUP a\0'), NNTPSyntaxError);
});

test('fuzz: parseCommand either parses or throws NNTPSyntaxError', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const random = seededRandom(seed);
    const line = Buffer.from(randomBytes(random, 1 + Math.floor(random() * 60), [0x20, 0x09, 0x00, 0x41, 0x3c, 0x3e])).toString('latin1');
    try {
      const c = parseCommand(line);
      assert.ok(c.verb.length > 0 && !c.verb.includes(' '), `seed ${seed}`);
      for (const a of c.args) assert.ok(a.length > 0 && !/[ \t]/.test(a), `seed ${seed}`);
    } catch (e) {
      assert.ok(e instanceof NNTPSyntaxError, `seed ${seed}: ${String(e)}`);
    }
  }
});

test('formatCommand refuses words that would inject a second command', () => {
  assert.equal(formatCommand('GROUP', 'local.test'), 'GROUP local.test\r\n');
  assert.throws(() => formatCommand('GROUP', 'a\r\nPOST'), NNTPSyntaxError);
  assert.throws(() => formatCommand('GROUP', 'a b'), NNTPSyntaxError);
  assert.throws(() => formatCommand('GROUP', ''), NNTPSyntaxError);
});

test('parseStatusLine reads three digits and text', () => {
  assert.deepEqual(parseStatusLine('211 3 1 3 g'), { status: 211, text: '3 1 3 g' });
  assert.deepEqual(parseStatusLine('205'), { status: 205, text: '' });
  assert.throws(() => parseStatusLine('2111 x'), NNTPSyntaxError);
  assert.throws(() => parseStatusLine('hello'), NNTPSyntaxError);
});

test('dot-stuffing round-trips every line, the lone dot included', () => {
  for (const line of ['.', '..', '.x', 'x.', '', 'plain']) assert.equal(dotUnstuff(dotStuff(line)), line);
  assert.equal(dotUnstuff('.'), null);
  assert.equal(encodeBlock(['.', 'a', '..b']), '..\r\na\r\n...b\r\n.\r\n');
});

test('wildmat: last match wins, negation, ? and *; a hostile pattern answers at once', () => {
  assert.ok(wildmatMatch('*', 'a.b'));
  assert.ok(wildmatMatch('comp.*,!comp.os.*', 'comp.lang.c'));
  assert.ok(!wildmatMatch('comp.*,!comp.os.*', 'comp.os.linux'));
  assert.ok(wildmatMatch('a?c', 'abc'));
  assert.ok(!wildmatMatch('a?c', 'ac'));
  assert.ok(!wildmatMatch('local.*', 'other.test'));
  const hostile = '*a'.repeat(40) + 'b';
  const name = 'a'.repeat(240);
  const before = process.hrtime.bigint();
  assert.ok(!wildmatMatch(hostile, name));
  assert.ok(process.hrtime.bigint() - before < 2_000_000_000n, 'not frozen');
});

test('ranges and message-ids', () => {
  assert.deepEqual(parseRange('5'), { low: 5, high: 5 });
  assert.deepEqual(parseRange('5-'), { low: 5, high: Infinity });
  assert.deepEqual(parseRange('5-9'), { low: 5, high: 9 });
  assert.equal(parseRange('-5'), null);
  assert.equal(parseRange('1'.repeat(20)), null);
  assert.ok(isMessageId('<a@b>'));
  assert.ok(!isMessageId('<a b@c>'));
  assert.ok(!isMessageId('<a>b@c>'));
  assert.ok(!isMessageId('<' + 'a'.repeat(300) + '>'));
});

test('dates: 8- and 6-digit forms, bad values refused, DATE format', () => {
  const now = Date.UTC(2026, 11, 5) / 1000;
  assert.equal(parseDateTime('20261205', '083000', now), Date.UTC(2026, 11, 5, 8, 30) / 1000);
  assert.equal(parseDateTime('261205', '083000', now), Date.UTC(2026, 11, 5, 8, 30) / 1000);
  assert.equal(parseDateTime('991205', '000000', now), Date.UTC(1999, 11, 5) / 1000, 'a 6-digit year is never more than 50 years ahead');
  assert.equal(parseDateTime('20261305', '000000', now), null);
  assert.equal(parseDateTime('2026125', '000000', now), null);
  assert.equal(parseDateTime('20261205', '250000', now), null);
  assert.equal(formatDateTime(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000), '20260102030405');
  assert.equal(formatDateTime(0, ' '), '19700101 000000');
});
