import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, splitRandom } from '../testing/index.js';
import type { Element } from './element.js';
import { XMPPStreamError } from './errors.js';
import { NS } from './namespaces.js';
import { XMLStreamParser } from './stream-parser.js';
import { condition } from './test-support/stream-error.js';

const HEADER = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS.STREAMS}' to='example.com' version='1.0'>`;

function collect(limits = {}) {
  const out = { header: undefined as Element | undefined, stanzas: [] as Element[], ended: false };
  const parser = new XMLStreamParser({ streamStart: (h) => (out.header = h), element: (e) => out.stanzas.push(e), streamEnd: () => (out.ended = true) }, limits);
  return { parser, out };
}

describe('XMLStreamParser', () => {
  const doc = `${HEADER}<message to='a@b' type="chat"><body>caf\u00e9 &amp; &lt;tea&gt;</body><x xmlns='urn:x'><y/></x></message> \n<presence/><![CDATA[]]></stream:stream>`.replace('<![CDATA[]]>', '');
  test('parses header, stanzas with namespaces, entities and the stream end', () => {
    const { parser, out } = collect();
    parser.feed(new TextEncoder().encode(doc));
    assert.equal(out.header?.getAttribute('to'), 'example.com');
    assert.equal(out.stanzas.length, 2);
    const [msg] = out.stanzas;
    assert.equal(msg!.namespace, NS.CLIENT);
    assert.equal(msg!.getChildText('body'), 'caf\u00e9 & <tea>');
    assert.equal(msg!.getChild('x')!.namespace, 'urn:x');
    assert.equal(msg!.getChild('x')!.getChild('y')!.namespace, 'urn:x');
    assert.equal(msg!.toXML(), `<message xmlns="jabber:client" to="a@b" type="chat"><body>caf\u00e9 &amp; &lt;tea&gt;</body><x xmlns="urn:x"><y/></x></message>`);
    assert.ok(out.ended);
  });

  test('gives the same result fed in random chunks of 1..7 bytes (multi-byte UTF-8 split)', () => {
    const bytes = new TextEncoder().encode(doc);
    const random = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const { parser, out } = collect();
      for (const chunk of splitRandom(random, bytes, 7)) parser.feed(chunk);
      assert.deepEqual(out.stanzas.map((s) => s.name), ['message', 'presence']);
      assert.equal(out.stanzas[0]!.getChildText('body'), 'caf\u00e9 & <tea>');
      assert.ok(out.ended);
    }
  });

  test('refuses the billion-laughs document at its DOCTYPE, before any entity is expanded', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">${Array.from({ length: 7 }, (_, i) => `<!ENTITY lol${i + 3} "${`&lol${i + 2};`.repeat(10)}">`).join('')}]><stream:stream xmlns:stream='${NS.STREAMS}'>&lol9;`;
    const { parser, out } = collect();
    assert.equal(condition(() => parser.feed(lol)), 'restricted-xml');
    assert.equal(out.header, undefined);
    assert.equal(condition(() => parser.feed('<presence/>')), 'restricted-xml', 'a failed parser stays failed');
  });

  test('refuses the quadratic-blowup document (one big entity referenced many times)', () => {
    const big = 'x'.repeat(50_000);
    const doc2 = `<!DOCTYPE s [<!ENTITY a "${big}">]>${HEADER}<message><body>${'&a;'.repeat(10_000)}</body></message>`;
    assert.equal(condition(() => collect().parser.feed(doc2)), 'restricted-xml');
  });

  test('an undeclared entity is not-well-formed', () => {
    const { parser } = collect();
    assert.equal(condition(() => parser.feed(`${HEADER}<message><body>&lol;</body></message>`)), 'not-well-formed');
  });

  test('comments and processing instructions are restricted-xml', () => {
    assert.equal(condition(() => collect().parser.feed(`${HEADER}<!-- hi --><presence/>`)), 'restricted-xml');
    assert.equal(condition(() => collect().parser.feed(`${HEADER}<?php echo 1 ?><presence/>`)), 'restricted-xml');
  });

  test('a stanza over maxStanzaSize is a policy-violation even while its text is still coming', () => {
    const { parser, out } = collect({ maxStanzaSize: 1000 });
    parser.feed(HEADER);
    parser.feed(`<message><body>${'a'.repeat(900)}</body></message>`);
    assert.equal(out.stanzas.length, 1, 'a stanza under the limit passes');
    parser.feed('<message><body>');
    assert.equal(condition(() => {
      for (let i = 0; i < 10; i++) parser.feed('b'.repeat(200));
    }), 'policy-violation');
  });

  test('depth and attribute count are bounded', () => {
    const deep = collect({ maxDepth: 5 });
    deep.parser.feed(HEADER);
    deep.parser.feed('<a><b><c><d><e/></d></c></b></a>');
    assert.equal(condition(() => deep.parser.feed('<a><b><c><d><e><f/></e></d></c></b></a>')), 'policy-violation');
    const attrs = collect({ maxAttributes: 4 });
    attrs.parser.feed(HEADER);
    attrs.parser.feed(`<a x='1' y='2' z='3' w='4'/>`);
    assert.equal(condition(() => attrs.parser.feed(`<a x='1' y='2' z='3' w='4' v='5'/>`)), 'policy-violation');
  });

  test('a stream must open with stream:stream in the streams namespace; text between stanzas is refused', () => {
    assert.equal(condition(() => collect().parser.feed('<stream xmlns="jabber:client">')), 'invalid-namespace');
    assert.equal(condition(() => collect().parser.feed(`${HEADER}hello<presence/>`)), 'not-well-formed');
    assert.equal(condition(() => collect().parser.feed(new Uint8Array([0x3c, 0xff, 0xfe]))), 'not-well-formed');
  });

  test('reset starts a new stream (restart after STARTTLS/SASL)', () => {
    const { parser, out } = collect();
    parser.feed(`${HEADER}<presence/>`);
    parser.reset();
    parser.feed(`${HEADER}<message/>`);
    assert.deepEqual(out.stanzas.map((s) => s.name), ['presence', 'message']);
  });

  test('fuzz: random bytes and mutated documents only ever raise XMPPStreamError', () => {
    const random = seededRandom(42);
    const base = new TextEncoder().encode(doc);
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0 ? Uint8Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)) : base.map((b) => (random() < 0.03 ? Math.floor(random() * 256) : b));
      const { parser } = collect({ maxStanzaSize: 4096 });
      try {
        for (const chunk of splitRandom(random, bytes, 16)) parser.feed(chunk);
      } catch (e) {
        assert.ok(e instanceof XMPPStreamError, `unexpected ${String(e)}`);
      }
    }
  });
});
