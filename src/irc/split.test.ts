import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../testing/index.js';
import { splitMessage, utf8ByteLength } from './split.js';

const enc = new TextEncoder();

describe('splitMessage', () => {
  test('short text is one piece', () => {
    assert.deepEqual(splitMessage('hello', 10), ['hello']);
  });

  test('splits at the last space that fits, dropping it', () => {
    assert.deepEqual(splitMessage('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
    assert.deepEqual(splitMessage('héllo wörld', 8), ['héllo', 'wörld']);
  });

  test('line breaks always split and empty lines vanish', () => {
    assert.deepEqual(splitMessage('a\r\nb\n\nc\rd', 100), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitMessage('', 100), []);
  });

  test('a word longer than the limit is cut between code points, never inside one', () => {
    assert.deepEqual(splitMessage('😀😀😀', 9), ['😀😀', '😀']);
    assert.deepEqual(splitMessage('ééééé', 5), ['éé', 'éé', 'é']);
  });

  test('refuses a limit smaller than one code point', () => {
    assert.throws(() => splitMessage('x', 3), RangeError);
  });

  test('property: every piece fits, is valid UTF-8, and the words are all kept in order', () => {
    const random = seededRandom(3);
    const chars = ['a', 'b', ' ', 'é', '€', '😀', '\n'];
    for (let i = 0; i < 1000; i++) {
      let text = '';
      const n = Math.floor(random() * 80);
      for (let j = 0; j < n; j++) text += chars[Math.floor(random() * chars.length)];
      const max = 4 + Math.floor(random() * 20);
      const pieces = splitMessage(text, max);
      for (const p of pieces) {
        assert.ok(utf8ByteLength(p) <= max, `${JSON.stringify(p)} over ${max}`);
        assert.equal(enc.encode(p).length, utf8ByteLength(p));
        assert.ok(!p.includes('\uFFFD') && !/[\uD800-\uDFFF]/u.test(p.replace(/\p{Extended_Pictographic}/gu, '')), 'split a surrogate pair');
      }
      assert.equal(pieces.join('').replace(/[\s]/g, ''), text.replace(/[\s]/g, ''));
    }
  });
});
