import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IRCFormatError, IRCParseError } from './errors.js';
import { formatMessage, formatPrefix, makeMessage, parseMessage, parsePrefix } from './message.js';
import { escapeTagValue, parseTags, unescapeTagValue } from './tags.js';
import { numericName } from './numeric-names.js';
import { RPL_WELCOME } from './numerics.js';
import { caseMappingFor, ircEquals, ircLower } from './casemapping.js';
import { seededRandom } from '../testing/index.js';

describe('parseMessage', () => {
  test('a full message: tags, prefix, middle and trailing params', () => {
    assert.deepEqual(parseMessage('@id=123;+draft/x;a=b\\sc :nick!u@h PRIVMSG #chan :hello there'), {
      tags: { id: '123', '+draft/x': '', a: 'b c' },
      prefix: 'nick!u@h',
      command: 'PRIVMSG',
      params: ['#chan', 'hello there'],
    });
  });

  test('no prefix, no params; the command is upper-cased', () => {
    assert.deepEqual(parseMessage('ping'), { tags: {}, command: 'PING', params: [] });
  });

  test('numerics and an empty trailing param', () => {
    assert.deepEqual(parseMessage(':srv 001 me :'), { tags: {}, prefix: 'srv', command: '001', params: ['me', ''] });
  });

  test('a trailing param keeps its colons and spaces', () => {
    assert.deepEqual(parseMessage('PRIVMSG #a ::) hi  there ').params, ['#a', ':) hi  there ']);
  });

  test('runs of spaces between parts are accepted', () => {
    assert.deepEqual(parseMessage(':p   MODE   #c  +o   bob  '), { tags: {}, prefix: 'p', command: 'MODE', params: ['#c', '+o', 'bob'] });
  });

  test('the last of duplicate tags wins', () => {
    assert.deepEqual(parseMessage('@a=1;a=2 PING').tags, { a: '2' });
  });

  for (const bad of ['', '   ', ':prefixonly', '@tags', '@a=1 :p', ': PING', 'PRIV-MSG x', '12 x', '1234 x', 'PRIVMSG\tx']) {
    test(`rejects ${JSON.stringify(bad)} with IRCParseError`, () => {
      assert.throws(() => parseMessage(bad), (e: unknown) => e instanceof IRCParseError && e.code === 'TORSION_IRC_PARSE' && e.line === bad);
    });
  }

  test('property: random printable lines either parse or throw IRCParseError, nothing else', () => {
    const random = seededRandom(8);
    const alphabet = ' :@;=!\\aZ09#\u00e9\u{1f600}';
    const chars = [...alphabet];
    for (let i = 0; i < 3000; i++) {
      let line = '';
      const len = Math.floor(random() * 30);
      for (let j = 0; j < len; j++) line += chars[Math.floor(random() * chars.length)];
      try {
        const m = parseMessage(line);
        assert.match(m.command, /^([A-Z]+|\d{3})$/);
        for (const p of m.params.slice(0, -1)) assert.ok(p !== '' && !p.includes(' ') && !p.startsWith(':'), `bad middle param in ${line}`);
      } catch (e) {
        assert.ok(e instanceof IRCParseError, `${JSON.stringify(line)} threw ${String(e)}`);
      }
    }
  });
});

describe('formatMessage', () => {
  test('adds a colon to the last param only when needed', () => {
    assert.equal(formatMessage(makeMessage('PRIVMSG', '#c', 'hi')), 'PRIVMSG #c hi');
    assert.equal(formatMessage(makeMessage('PRIVMSG', '#c', 'hi there')), 'PRIVMSG #c :hi there');
    assert.equal(formatMessage(makeMessage('PRIVMSG', '#c', ':)')), 'PRIVMSG #c ::)');
    assert.equal(formatMessage(makeMessage('TOPIC', '#c', '')), 'TOPIC #c :');
    assert.equal(formatMessage(makeMessage('QUIT')), 'QUIT');
  });

  test('writes tags (escaped) and prefix', () => {
    const line = formatMessage({ tags: { a: 'x y;z\\', b: '', '+example.com/k': 'v' }, prefix: 'n!u@h', command: 'NOTICE', params: ['t', 'x'] });
    assert.equal(line, '@a=x\\sy\\:z\\\\;b;+example.com/k=v :n!u@h NOTICE t x');
  });

  for (const [what, msg] of [
    ['CR in a param', makeMessage('PRIVMSG', '#c', 'hi\r\nQUIT')],
    ['LF in a param', makeMessage('PRIVMSG', '#c', 'hi\nQUIT')],
    ['NUL in a param', makeMessage('PRIVMSG', '#c', 'a\0b')],
    ['NUL in a tag value', { tags: { a: 'x\0y' }, command: 'PING', params: [] }],
    ['LF in the prefix', { tags: {}, prefix: 'a\nb', command: 'PING', params: [] }],
    ['space in a middle param', makeMessage('KICK', '#c d', 'x')],
    ['empty middle param', makeMessage('KICK', '', 'x')],
    ['colon-led middle param', makeMessage('KICK', ':c', 'x')],
    ['a bad command', makeMessage('PRIV MSG', 'x')],
    ['an empty command', makeMessage('', 'x')],
    ['a bad tag key', { tags: { 'a b': '1' }, command: 'PING', params: [] }],
  ] as const) {
    test(`refuses ${what}`, () => {
      assert.throws(() => formatMessage(msg as never), IRCFormatError);
    });
  }

  test('property: format then parse is the identity on valid messages', () => {
    const random = seededRandom(1459);
    const pick = (s: string): string => s[Math.floor(random() * s.length)];
    const word = (chars: string, min: number): string => {
      let w = '';
      const len = min + Math.floor(random() * 8);
      for (let i = 0; i < len; i++) w += pick(chars);
      return w;
    };
    for (let i = 0; i < 2000; i++) {
      const tags: Record<string, string> = {};
      if (random() < 0.5) for (let t = 0; t < 3; t++) tags[word('abcXYZ-', 1)] = word('ab ;\\\r\n=:é', 0);
      const params: string[] = [];
      const nParams = Math.floor(random() * 5);
      for (let p = 0; p < nParams; p++) params.push(word('ab#,.é', 1));
      if (random() < 0.7) params.push(word('ab :#é', 0));
      const msg = { tags, command: random() < 0.5 ? 'PRIVMSG' : '433', params, ...(random() < 0.5 ? { prefix: 'n!u@h' } : {}) };
      assert.deepEqual(parseMessage(formatMessage(msg)), msg);
    }
  });
});

describe('prefixes, tags, numerics, case mapping', () => {
  test('parsePrefix splits nick, user and host', () => {
    assert.deepEqual(parsePrefix('alice!~al@example.org'), { nick: 'alice', user: '~al', host: 'example.org' });
    assert.deepEqual(parsePrefix(':alice@h'), { nick: 'alice', host: 'h' });
    assert.deepEqual(parsePrefix('irc.example.org'), { nick: 'irc.example.org' });
    assert.equal(formatPrefix({ nick: 'a', user: 'b', host: 'c' }), 'a!b@c');
  });

  test('tag escaping round-trips and decodes per IRCv3', () => {
    const value = 'a;b c\\d\re\nf';
    assert.equal(escapeTagValue(value), 'a\\:b\\sc\\\\d\\re\\nf');
    assert.equal(unescapeTagValue(escapeTagValue(value)), value);
    assert.equal(unescapeTagValue('a\\bc\\'), 'abc');
    assert.deepEqual(parseTags('a=;;=x;b;__proto__=y'), { a: '', b: '' });
  });

  test('numerics and their names', () => {
    assert.equal(RPL_WELCOME, '001');
    assert.equal(numericName('433'), 'ERR_NICKNAMEINUSE');
    assert.equal(numericName('999'), undefined);
  });

  test('ircLower folds per the mapping', () => {
    assert.equal(ircLower('Nick[A]\\^~'), 'nick{a}|~~');
    assert.equal(ircLower('Nick[A]\\^', 'strict-rfc1459'), 'nick{a}|^');
    assert.equal(ircLower('Nick[A]', 'ascii'), 'nick[a]');
    assert.ok(ircEquals('Foo[]', 'fOO{}'));
    assert.ok(!ircEquals('Foo[]', 'fOO{}', 'ascii'));
    assert.equal(caseMappingFor('ascii'), 'ascii');
    assert.equal(caseMappingFor('rfc7613'), 'rfc1459');
  });
});
