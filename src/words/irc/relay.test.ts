import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage } from '../index.js';
import { relayLine, truncateUtf8, WANT_TAGS, WANT_TIME } from './relay.js';

const decoder = new TextDecoder();
const prefixOf = (nick: string): string => `${nick}!user@127.0.0.1`;

/** The longest run of whole characters from the start of `text` that takes at most `max` bytes of UTF-8. */
function longestPrefix(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

function message(text: string): ChatMessage {
  return { id: 'm1', time: 1_700_000_000, from: 'sender', to: '#room', text, kind: 'message' };
}

describe('relayLine', () => {
  // 1-, 2-, 3- and 4-byte characters in turn: a cut can fall inside each kind.
  const mixed = 'aé€😀'.repeat(60);

  test('a long multi-byte line is cut at the last whole character that keeps the line within 512 bytes', () => {
    const head = `:${prefixOf('sender')} PRIVMSG #room :`;
    const room = 510 - Buffer.byteLength(head);
    for (let skip = 0; skip < 4; skip++) {
      const text = mixed.slice(skip);
      const line = decoder.decode(relayLine(message(text), prefixOf, 0));
      assert.equal(line, `${head}${longestPrefix(text, room)}\r\n`);
      assert.ok(Buffer.byteLength(line) <= 512);
    }
  });

  test('tags do not change where the text is cut; a short line is relayed whole', () => {
    const plain = decoder.decode(relayLine(message(mixed), prefixOf, 0));
    const tagged = decoder.decode(relayLine(message(mixed), prefixOf, WANT_TIME | WANT_TAGS));
    assert.ok(tagged.startsWith('@msgid=m1;time=') || tagged.startsWith('@time='), tagged.slice(0, 40));
    assert.equal(tagged.slice(tagged.indexOf(' :') + 1), plain);
    assert.equal(decoder.decode(relayLine(message('héllo'), prefixOf, 0)), `:${prefixOf('sender')} PRIVMSG #room :héllo\r\n`);
  });

  test('truncateUtf8 never cuts inside a character', () => {
    for (let max = 0; max < 20; max++) assert.equal(truncateUtf8(mixed, max), longestPrefix(mixed, max));
  });
});
