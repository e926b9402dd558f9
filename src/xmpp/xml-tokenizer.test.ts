import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from './element.js';
import { NS } from './namespaces.js';
import { XMLStreamParser } from './stream-parser.js';
import { condition } from './test-support/stream-error.js';

const HEADER = `<stream:stream xmlns='jabber:client' xmlns:stream='${NS.STREAMS}'>`;

function collect(limits = {}) {
  const stanzas: Element[] = [];
  const parser = new XMLStreamParser({ streamStart: () => {}, element: (e) => stanzas.push(e), streamEnd: () => {} }, limits);
  parser.feed(HEADER);
  return { parser, stanzas };
}

describe('XML tokenizer (through XMLStreamParser)', () => {
  test('a start tag dripped one character at a time is read in linear time', () => {
    const value = 'v'.repeat(200_000);
    const stanza = `<message id='${value}' to='a@b'><body>x</body></message>`;
    const { parser, stanzas } = collect();
    const start = performance.now();
    for (const c of stanza) parser.feed(c);
    // Re-reading the buffered tag per character would copy about 2e10 characters: minutes, not this.
    assert.ok(performance.now() - start < 5000, 'dripping a 200 KB tag must not take quadratic time');
    assert.equal(stanzas[0]?.getAttribute('id'), value);
  });

  test('an element with too many attributes is refused before its tag ends', () => {
    const { parser } = collect({ maxAttributes: 4 });
    assert.equal(condition(() => parser.feed(`<a ${Array.from({ length: 5 }, (_, i) => `x${i}='1'`).join(' ')} `)), 'policy-violation');
  });

  test('an unterminated entity reference is refused without waiting for a ";"', () => {
    const { parser } = collect();
    parser.feed('<message><body>a &amp');
    assert.equal(condition(() => parser.feed('x'.repeat(100))), 'not-well-formed');
  });

  test('references, CDATA and line ends split across chunks decode as one', () => {
    const { parser, stanzas } = collect();
    for (const c of [`<m a='x&#x`, `41;\r`, `\ny'><b>&l`, `t;&#12`, `8512;\r`, `<![CDA`, `TA[<&]`, `]>\r\n</b></m>`]) parser.feed(c);
    assert.equal(stanzas[0]?.getAttribute('a'), 'xA y');
    assert.equal(stanzas[0]?.getChildText('b'), '<\u{1F600}\n<&\n');
  });

  test('whitespace keepalives between stanzas do not count toward the next stanza size', () => {
    const { parser, stanzas } = collect({ maxStanzaSize: 100 });
    for (let i = 0; i < 500; i++) parser.feed(' ');
    parser.feed(`<message><body>${'a'.repeat(50)}</body></message>`);
    assert.equal(stanzas.length, 1);
  });

  test('a DOCTYPE after the stream header is not-well-formed; a second XML declaration too', () => {
    assert.equal(condition(() => collect().parser.feed('<!DOCTYPE x>')), 'not-well-formed');
    assert.equal(condition(() => collect().parser.feed(`<?xml version='1.0'?>`)), 'not-well-formed');
  });
});
