import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../testing/string-transport.js';
import { seededRandom, splitEvery, splitRandom } from '../testing/index.js';
import { IRCMessageTooLongError, IRCFormatError } from './errors.js';
import { makeMessage, type IRCMessage } from './message.js';
import { IRCLineReceiver, decodeIRCLine, type IRCLimit } from './receiver.js';

const enc = new TextEncoder();

class Recorder extends IRCLineReceiver {
  messages: IRCMessage[] = [];
  tooLong: IRCLimit[] = [];
  malformed: string[] = [];
  override messageReceived(msg: IRCMessage): void {
    this.messages.push(msg);
  }
  override messageTooLong(line: Uint8Array, limit: IRCLimit): void {
    super.messageTooLong(line, limit);
    this.tooLong.push(limit);
  }
  override malformedMessage(line: string, error: Parameters<IRCLineReceiver['malformedMessage']>[1]): void {
    super.malformedMessage(line, error);
    this.malformed.push(line);
  }
}

function connected(): { proto: Recorder; transport: StringTransport } {
  const proto = new Recorder();
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return { proto, transport };
}

const STREAM = [
  '@time=2026-01-01T00:00:00.000Z;msgid=a\\sb :nick!u@h PRIVMSG #chan :héllo wörld 😀\r\n',
  'PING :irc.example.org\r\n',
  '\r\n',
  ':srv 001 me :Welcome\n',
  'garbage-with-dash x\r\n',
  `:srv 372 me :${'x'.repeat(600)}\r\n`,
  ':srv 005 me CHANTYPES=# PREFIX=(ov)@+ :are supported\r\n',
  `@${'t='.padEnd(8300, 'v')} PING x\r\n`,
  `PRIVMSG #c :${'y'.repeat(9000)}\r\n`,
  'NOTICE me :bye\r\n',
].join('');

function expected(): { commands: string[]; tooLong: IRCLimit[]; malformed: string[] } {
  const { proto } = connected();
  proto.dataReceived(enc.encode(STREAM));
  return { commands: proto.messages.map((m) => m.command), tooLong: proto.tooLong, malformed: proto.malformed };
}

describe('IRCLineReceiver', () => {
  test('parses a stream of lines, ignoring empty ones, CRLF or bare LF', () => {
    const e = expected();
    assert.deepEqual(e.commands, ['PRIVMSG', 'PING', '001', '005', 'NOTICE']);
    assert.deepEqual(e.tooLong, ['message', 'tags', 'message']);
    assert.deepEqual(e.malformed, ['garbage-with-dash x']);
  });

  test('the same input in chunks of 1..N bytes gives the same messages', () => {
    const data = enc.encode(STREAM);
    const want = connected();
    want.proto.dataReceived(data);
    for (let size = 1; size <= 64; size++) {
      const { proto } = connected();
      for (const chunk of splitEvery(data, size)) proto.dataReceived(chunk);
      assert.deepEqual(proto.messages, want.proto.messages, `chunk size ${size}`);
      assert.deepEqual(proto.tooLong, want.proto.tooLong);
    }
    const random = seededRandom(2812);
    for (let i = 0; i < 50; i++) {
      const { proto } = connected();
      for (const chunk of splitRandom(random, data, 700)) proto.dataReceived(chunk);
      assert.deepEqual(proto.messages, want.proto.messages);
    }
  });

  test('a UTF-8 code point split across chunks decodes whole', () => {
    const { proto } = connected();
    const bytes = enc.encode('PRIVMSG #c :😀\r\n');
    for (const b of bytes) proto.dataReceived(Uint8Array.of(b));
    assert.equal(proto.messages[0].params[1], '😀');
  });

  test('invalid UTF-8 falls back to Latin-1', () => {
    assert.equal(decodeIRCLine(Uint8Array.of(0x63, 0x61, 0x66, 0xe9)), 'café');
    const { proto } = connected();
    proto.dataReceived(Uint8Array.of(...enc.encode('PRIVMSG #c :caf'), 0xe9, 13, 10));
    assert.equal(proto.messages[0].params[1], 'café');
  });

  test('the limits: 512 bytes with CRLF for the message, 8191 for the tags', () => {
    const { proto } = connected();
    const fits = `PRIVMSG #c :${'a'.repeat(512 - 12 - 2)}`;
    assert.equal(enc.encode(fits).length + 2, 512);
    proto.dataReceived(enc.encode(`${fits}\r\n${fits}a\r\n`));
    assert.equal(proto.messages.length, 1);
    assert.deepEqual(proto.tooLong, ['message']);
    const tags = `@k=${'v'.repeat(8191 - 4)} `;
    assert.equal(tags.length, 8191);
    proto.dataReceived(enc.encode(`${tags}${fits}\r\n@a${tags} PING\r\n`));
    assert.equal(proto.messages.length, 2);
    assert.deepEqual(proto.tooLong, ['message', 'tags']);
  });

  test('a line longer than both limits is never buffered: reported once, skipped to its LF, and reading goes on', () => {
    const { proto, transport } = connected();
    for (let i = 0; i < 1000; i++) proto.dataReceived(enc.encode('x'.repeat(100)));
    assert.equal(transport.disconnecting, false);
    assert.deepEqual(proto.tooLong, ['message'], 'one report for 100 KB without a newline');
    assert.equal(proto.clearLineBuffer().length, 0, 'nothing of it is held');
    proto.dataReceived(enc.encode('still the same line\r\nPING :a\r\n'));
    proto.dataReceived(enc.encode(`@${'k='.padEnd(9000, 'v')} PING :too\r\nPING :b\r\n`));
    assert.deepEqual(
      proto.messages.map((m) => m.params[0]),
      ['a', 'b'],
    );
    assert.deepEqual(proto.tooLong, ['message', 'tags']);
  });

  test('property: random bytes never make dataReceived throw', () => {
    const random = seededRandom(77);
    const alphabet = enc.encode('@:; =!\r\n\\aZ0 #');
    for (let round = 0; round < 200; round++) {
      const { proto } = connected();
      const data = new Uint8Array(2000);
      for (let i = 0; i < data.length; i++) data[i] = random() < 0.8 ? alphabet[Math.floor(random() * alphabet.length)] : Math.floor(random() * 256);
      for (const chunk of splitRandom(random, data, 300)) proto.dataReceived(chunk);
      for (const m of proto.messages) assert.match(m.command, /^([A-Z]+|\d{3})$/);
    }
  });

  test('an exception in messageReceived is logged, not thrown, and later lines still arrive', () => {
    const seen: string[] = [];
    class Throws extends IRCLineReceiver {
      override messageReceived(msg: IRCMessage): void {
        seen.push(msg.command);
        if (msg.command === 'BOOM') throw new Error('handler bug');
      }
    }
    const p = new Throws();
    p.makeConnection(new StringTransport());
    p.dataReceived(enc.encode('BOOM\r\nPING x\r\n'));
    assert.deepEqual(seen, ['BOOM', 'PING']);
  });

  test('sendMessage writes CRLF-terminated lines and refuses injection and over-long messages', () => {
    const { proto, transport } = connected();
    proto.sendCommand('PRIVMSG', '#c', 'hi there');
    proto.sendMessage({ tags: { '+typing': 'active' }, command: 'TAGMSG', params: ['#c'] });
    assert.equal(transport.valueString(), 'PRIVMSG #c :hi there\r\n@+typing=active TAGMSG #c\r\n');
    assert.throws(() => proto.sendMessage(makeMessage('PRIVMSG', '#c', 'x\r\nQUIT')), IRCFormatError);
    assert.throws(() => proto.sendMessage(makeMessage('PRIVMSG', '#c', 'x'.repeat(600))), IRCMessageTooLongError);
    assert.equal(transport.valueString(), 'PRIVMSG #c :hi there\r\n@+typing=active TAGMSG #c\r\n');
  });
});
