// The SMTP server codec, fuzzed: any cutting of the same bytes gives the same commands and message text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1, latin1Bytes, randomBytes, seededRandom, splitEvery, splitRandom } from '../../testing/index.js';
import { SMTPServerCodec } from './server-codec.js';

const LIMITS = { maxCommandLength: 40, maxDataLineLength: 30 };

/** The events for `chunks`, entering data mode after a `DATA` line as the server does; text merged (an unfinished message's text left out: how much of it is out yet depends on the cutting). */
function run(chunks: Uint8Array[]): string[] {
  const codec = new SMTPServerCodec(LIMITS);
  const out: string[] = [];
  let text = '';
  for (const chunk of chunks) {
    codec.feed(chunk);
    for (let e = codec.next(); e !== null; e = codec.next()) {
      if (e.kind === 'text') {
        text += latin1(e.chunk);
        continue;
      }
      if (e.kind === 'command') {
        out.push(`cmd:${latin1(e.line)}:${e.bareLF}`);
        if (latin1(e.line) === 'DATA') codec.startData();
      } else if (e.kind === 'end') {
        out.push(`text:${text}`, `end:${e.bareLF}:${e.bareCR}:${e.longLines > 0}`);
        text = '';
      } else out.push(e.kind);
    }
  }
  return out;
}

const ALPHABET = [...'\r\n.DATA \r\n'].map((c) => c.charCodeAt(0));

test('fuzz: the same events whatever the chunking (300 seeds)', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const input = randomBytes(random, 400, ALPHABET);
    // Enter data mode often.
    const withData = new Uint8Array([...latin1Bytes('DATA\r\n'), ...input]);
    const whole = run([withData]);
    assert.deepEqual(run(splitRandom(random, withData, 17)), whole, `seed ${seed}`);
    assert.deepEqual(run(splitEvery(withData, 1)), whole, `seed ${seed}, byte by byte`);
  }
});

test('only <CRLF>.<CRLF> ends the text; unstuffing and the counts', () => {
  const events = run([latin1Bytes('DATA\r\n..a\r\nb\nc\r.\r\n.\n.\r\n\r\n.\r\nNOOP\r\n')]);
  assert.deepEqual(events, ['cmd:DATA:false', 'text:.a\r\nb\nc\r.\r\n\n.\r\n\r\n', 'end:2:1:false', 'cmd:NOOP:false']);
});

test('an empty message ends at once; buffered input is handed over for TLS', () => {
  assert.deepEqual(run([latin1Bytes('DATA\r\n.\r\n')]), ['cmd:DATA:false', 'text:', 'end:0:0:false']);
  const codec = new SMTPServerCodec(LIMITS);
  codec.feed(latin1Bytes('STARTTLS\r\n\x16\x03\x01hello'));
  assert.equal(codec.next()?.kind, 'command');
  assert.equal(latin1(codec.takeBuffered()), '\x16\x03\x01hello');
  assert.equal(codec.next(), null);
});

test('input held is bounded by the line limits', () => {
  const codec = new SMTPServerCodec(LIMITS);
  codec.feed(new Uint8Array(10_000).fill(0x41));
  assert.equal(codec.next()?.kind, 'commandTooLong');
  assert.equal(codec.takeBuffered().length, 0, 'nothing of the long line is kept');
  codec.startData();
  codec.feed(new Uint8Array(10_000).fill(0x41));
  assert.equal(codec.next()?.kind, 'text');
  assert.equal(codec.takeBuffered().length, 0);
});
