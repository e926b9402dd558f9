import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, splitRandom } from '../testing/index.js';
import { XMPPStreamError } from './errors.js';
import { NS } from './namespaces.js';
import { XMLStreamParser, type XMLStreamHandlers } from './stream-parser.js';
import { SaxesStreamParser } from './test-support/saxes-stream-parser.js';

const HEADER = `<?xml version='1.0' encoding="UTF-8"?>\n<stream:stream xmlns='jabber:client' xmlns:stream='${NS.STREAMS}' to='example.com' version='1.0' xml:lang='en'>`;

/** Documents that exercise what restricted XML allows: prefixes, entities, references, CDATA, line ends, non-ASCII text. */
const DOCUMENTS = [
  `${HEADER}<message to='a@b' type="chat" id='m&amp;1'><body>caf\u00e9 &amp; &lt;tea&gt; &#233;&#x1F600; "q" 'a'</body><x xmlns='urn:x'><y a="1&#9;2"/></x></message> \n<presence/></stream:stream>`,
  `${HEADER}<iq type='set' id='p1'><query xmlns='jabber:iq:roster' ver='v1'><item jid='c@localhost' name='C &apos;1&apos;' subscription='both'><group>Friends</group></item></query></iq>\r\n<p:thing xmlns:p='urn:p' p:attr='v'><p:inner>t\r\nu\rv</p:inner><plain/></p:thing></stream:stream>`,
  `${HEADER}<message><body><![CDATA[<not> &a tag; ]] ]>]]>after</body><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p style='x:y'>\u4e2d\u6587 <b>bold</b></p></body></html></message><r xmlns='urn:xmpp:sm:3'/></stream:stream>`,
  `<stream:stream xmlns:stream="${NS.STREAMS}" xmlns="jabber:server"><db:result xmlns:db='jabber:server:dialback' from='a' to='b'>key</db:result><message   to = "x"  ><body  >a&#x3C;b</body  ></message  ></stream:stream  >`,
];

/** Bytes a mutation inserts: XML's delimiters more often than anything else. */
const SPECIAL = Array.from(new TextEncoder().encode(`<>&;'"/=:![]?-#x \t\r\nCDATA\u00e9`));

interface Outcome {
  header: string | undefined;
  stanzas: string[];
  ended: boolean;
  error: string | undefined;
}

function run(make: (h: XMLStreamHandlers) => { feed(data: Uint8Array): void }, chunks: Uint8Array[]): Outcome {
  const out: Outcome = { header: undefined, stanzas: [], ended: false, error: undefined };
  const parser = make({ streamStart: (h) => (out.header = h.toXML()), element: (e) => out.stanzas.push(e.toXML()), streamEnd: () => (out.ended = true) });
  try {
    for (const c of chunks) parser.feed(c);
  } catch (e) {
    assert.ok(e instanceof XMPPStreamError, `unexpected ${String(e)}`);
    out.error = e.condition;
  }
  return out;
}

function mutate(random: () => number, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(random() * 3);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(random() * out.length);
    const pick = random();
    const byte = random() < 0.8 ? SPECIAL[Math.floor(random() * SPECIAL.length)]! : Math.floor(random() * 256);
    if (pick < 0.4) out[at] = byte;
    else if (pick < 0.7) out.splice(at, 0, byte);
    else if (pick < 0.85) out.splice(at, 1 + Math.floor(random() * 4));
    else out.splice(at, 0, ...out.slice(Math.floor(random() * out.length)).slice(0, 1 + Math.floor(random() * 20)));
  }
  return Uint8Array.from(out);
}

function compare(bytes: Uint8Array, random: () => number): void {
  const chunks = splitRandom(random, bytes, 1 + Math.floor(random() * 24));
  const limits = { maxStanzaSize: 1 << 20 };
  const ours = run((h) => new XMLStreamParser(h, limits), chunks);
  const reference = run((h) => new SaxesStreamParser(h, limits), chunks);
  const input = new TextDecoder().decode(bytes);
  // saxes reads an entity name up to the next ";" and a processing instruction up to "?>" whatever comes
  // first, so on a document cut inside one it waits for more input; Torsion refuses such a reference or
  // instruction at once. Only there may it fail where saxes still waits.
  const saxesWaits = reference.error === undefined && !reference.ended && (ours.error === 'not-well-formed' || ours.error === 'restricted-xml');
  // Both refuse the stream, in another order: Torsion says restricted-xml at the start of a processing
  // instruction, comment or DTD that saxes reports at its end, after some other fault.
  const bothRefuse = ours.error !== undefined && reference.error !== undefined && [ours.error, reference.error].sort().join() === 'not-well-formed,restricted-xml' && /<\?(?!xml[ \t\r\n])|<!-|<!D/.test(input);
  // saxes goes on reading the rest of the chunk that closed the stream and complains about what follows; the stream is over for both.
  const bothEnded = ours.ended && reference.ended;
  if (!saxesWaits && !bothRefuse && !bothEnded) assert.equal(ours.error, reference.error, `error condition for ${JSON.stringify(input)}`);
  const expected = reference.error !== undefined && ours.stanzas.length === reference.stanzas.length - 1 ? reference.stanzas.slice(0, -1) : reference.stanzas;
  assert.deepEqual(ours.stanzas, expected, `stanzas for ${JSON.stringify(input)}`);
  assert.equal(ours.header, reference.header, `header for ${JSON.stringify(input)}`);
  if (reference.error === undefined) assert.equal(ours.ended, reference.ended, `stream end for ${JSON.stringify(input)}`);
}

describe('XMLStreamParser against the saxes-based reference', () => {
  const encoded = DOCUMENTS.map((d) => new TextEncoder().encode(d));

  test('well-formed documents split anywhere give the same header, stanzas and end', () => {
    const random = seededRandom(18);
    for (const bytes of encoded) for (let round = 0; round < 50; round++) compare(bytes, random);
  });

  test('mutated documents split anywhere give the same stanzas or the same stream error', () => {
    const random = seededRandom(6120);
    for (let i = 0; i < 4000; i++) compare(mutate(random, encoded[i % encoded.length]!), random);
  });
});
