import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubTags, scrubText } from './text.js';

describe('scrubText', () => {
  test('CR, LF and NUL become spaces; formatting codes and CTCP stay', () => {
    assert.equal(scrubText('a\r\nb\rc\nd\0e'), 'a  b c d e');
    assert.equal(scrubText('\x01ACTION \x02bold\x02 \x0304red\x01'), '\x01ACTION \x02bold\x02 \x0304red\x01');
    const plain = 'nothing to do';
    assert.equal(scrubText(plain), plain);
  });

  test('cuts to a length without splitting a surrogate pair', () => {
    assert.equal(scrubText('abcdef', 3), 'abc');
    assert.equal(scrubText('ab😀', 3), 'ab');
    assert.equal(scrubText('ab😀c', 4), 'ab😀');
  });

  test('tag values lose NUL; tags without one are the same object', () => {
    const clean = { '+draft/reply': 'abc' };
    assert.equal(scrubTags(clean), clean);
    assert.deepEqual(scrubTags({ '+a': 'x\0y', '+b': 'ok' }), { '+a': 'x y', '+b': 'ok' });
  });
});
