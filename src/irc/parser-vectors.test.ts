/**
 * Cases from the IRCv3 community's parser test vectors (msg-split), adapted to one difference by design:
 * the command comes back upper-cased.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, type IRCMessage } from './message.js';

const cases: Array<[string, Partial<IRCMessage>]> = [
  ['foo bar baz asdf', { command: 'FOO', params: ['bar', 'baz', 'asdf'] }],
  [':coolguy foo bar baz asdf', { prefix: 'coolguy', params: ['bar', 'baz', 'asdf'] }],
  ['foo bar baz :asdf quux', { params: ['bar', 'baz', 'asdf quux'] }],
  ['foo bar baz :', { params: ['bar', 'baz', ''] }],
  ['foo bar baz ::asdf', { params: ['bar', 'baz', ':asdf'] }],
  [':coolguy foo bar baz :  asdf quux ', { params: ['bar', 'baz', '  asdf quux '] }],
  [':coolguy PRIVMSG bar :lol :) ', { params: ['bar', 'lol :) '] }],
  [':coolguy foo bar baz :  ', { params: ['bar', 'baz', '  '] }],
  ['@a=b;c=32;k;rt=ql7 foo', { tags: { a: 'b', c: '32', k: '', rt: 'ql7' }, params: [] }],
  ['@a=b\\\\and\\nk;c=72\\s45;d=gh\\:764 foo', { tags: { a: 'b\\and\nk', c: '72 45', d: 'gh;764' } }],
  ['@c;h=;a=b :quux ab cd', { tags: { c: '', h: '', a: 'b' }, prefix: 'quux', command: 'AB', params: ['cd'] }],
  [':src JOIN #chan', { prefix: 'src', command: 'JOIN', params: ['#chan'] }],
  [':src JOIN :#chan', { params: ['#chan'] }],
  [':src AWAY', { params: [] }],
  [':src AWAY ', { params: [] }],
  [':cool\tguy foo bar baz', { prefix: 'cool\tguy' }],
  [':coolguy!ag@net\x035w\x03ork.admin PRIVMSG foo :bar baz', { prefix: 'coolguy!ag@net\x035w\x03ork.admin', params: ['foo', 'bar baz'] }],
  [':irc.example.com COMMAND param1 param2 :param3 param3', { params: ['param1', 'param2', 'param3 param3'] }],
  ['@foo=\\\\\\\\\\:\\\\s\\s\\r\\n COMMAND', { tags: { foo: '\\\\;\\s \r\n' } }],
  ['@tag1=value\\\\ntest COMMAND', { tags: { tag1: 'value\\ntest' } }],
  ['@tag1=value\\1 COMMAND', { tags: { tag1: 'value1' } }],
  ['@tag1=value1\\ COMMAND', { tags: { tag1: 'value1' } }],
  ['@tag1=1;tag2=3;tag3=4;tag1=5 COMMAND', { tags: { tag1: '5', tag2: '3', tag3: '4' } }],
  ['@tag1=1;tag2=3;tag3=4;tag1=5;vendor/tag2=8 COMMAND', { tags: { tag1: '5', tag2: '3', tag3: '4', 'vendor/tag2': '8' } }],
  [':SomeOp MODE #channel :+i', { params: ['#channel', '+i'] }],
  [':SomeOp MODE #channel +oo SomeUser :AnotherUser', { params: ['#channel', '+oo', 'SomeUser', 'AnotherUser'] }],
];

test('the IRCv3 msg-split vectors', () => {
  for (const [line, want] of cases) {
    const got = parseMessage(line);
    for (const key of Object.keys(want) as Array<keyof IRCMessage>) assert.deepEqual(got[key], want[key], `${JSON.stringify(line)}: ${key}`);
  }
});
