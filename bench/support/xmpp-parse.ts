/**
 * The parser part of `bench/xmpp.bench.ts`: one XML stream of varied stanzas (messages with bodies and
 * entities, MUC presences, roster pushes) cut into 16 KiB chunks, parsed into element trees by Torsion's
 * `XMLStreamParser` and by `ltx` (xmpp.js's parser) used as xmpp.js uses it: its SAX parser's events build
 * an `ltx` Element per top-level stanza under the stream root.
 */
import { EventEmitter } from 'node:events';
import { XMLStreamParser } from '../../src/xmpp/stream-parser.js';

const STREAM_OPEN = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='b1' version='1.0'>";

function stanza(i: number): string {
  switch (i % 3) {
    case 0:
      return `<message from='room@conference.localhost/user${i % 50}' to='me@localhost/r' type='groupchat' id='m${i}'><body>line ${i}: fish &amp; chips &lt;3 — "quoted" text that is long enough to be a normal chat line</body><stanza-id xmlns='urn:xmpp:sid:0' id='s${i}' by='room@conference.localhost'/></message>`;
    case 1:
      return `<presence from='room@conference.localhost/user${i % 50}' to='me@localhost/r'><show>away</show><status>back soon</status><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='user${i % 50}@localhost/desk'/></x><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.org' ver='abc${i}='/></presence>`;
    default:
      return `<iq type='set' id='push${i}' to='me@localhost/r'><query xmlns='jabber:iq:roster' ver='v${i}'><item jid='contact${i}@localhost' name='Contact ${i}' subscription='both'><group>Friends</group><group>Work</group></item></query></iq>`;
  }
}

/** The stream's chunks, and how many stanzas they hold. */
export function parserInput(stanzas: number): { chunks: Buffer[]; stanzas: number } {
  const text = STREAM_OPEN + Array.from({ length: stanzas }, (_, i) => stanza(i)).join('');
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  // Cut at stanza-neutral points is not needed (both parsers take a stream), but at character boundaries it is: ltx decodes each chunk alone.
  for (let at = 0; at < bytes.length; ) {
    let end = Math.min(bytes.length, at + 16384);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(at, end));
    at = end;
  }
  return { chunks, stanzas };
}

/** Torsion: stanzas parsed per second. */
export function torsionParse(input: { chunks: Buffer[]; stanzas: number }): number {
  let count = 0;
  const parser = new XMLStreamParser({ streamStart: () => {}, element: () => void count++, streamEnd: () => {} });
  for (const c of input.chunks) parser.feed(c);
  if (count !== input.stanzas) throw new Error(`torsion parsed ${count} of ${input.stanzas} stanzas`);
  return count;
}

interface LtxElement {
  name: string;
  parent?: LtxElement;
  cnode(child: LtxElement): LtxElement;
  t(text: string): LtxElement;
}
interface Ltx {
  SaxParser: new () => EventEmitter & { write(data: Buffer | string): void };
  Element: new (name: string, attrs: Record<string, string>) => LtxElement;
}

/** Loads `ltx` (a dev dependency without type declarations). */
export async function loadLtx(): Promise<Ltx> {
  const parserModule = 'ltx/src/parsers/ltx.js';
  const elementModule = 'ltx/src/Element.js';
  const [{ default: SaxParser }, { default: Element }] = (await Promise.all([import(parserModule), import(elementModule)])) as [{ default: Ltx['SaxParser'] }, { default: Ltx['Element'] }];
  return { SaxParser, Element };
}

/** ltx as xmpp.js drives it: the stream root apart, one Element tree per stanza. */
export function ltxParse(ltx: Ltx, input: { chunks: Buffer[]; stanzas: number }): number {
  let count = 0;
  let root: LtxElement | undefined;
  let cursor: LtxElement | undefined;
  const sax = new ltx.SaxParser();
  sax.on('startElement', (name: string, attrs: Record<string, string>) => {
    const element = new ltx.Element(name, attrs);
    if (!root) root = element;
    else if (!cursor) cursor = element;
    else cursor = cursor.cnode(element);
  });
  sax.on('endElement', (name: string) => {
    if (!cursor || name !== cursor.name) return;
    if (cursor.parent) cursor = cursor.parent;
    else {
      count++;
      cursor = undefined;
    }
  });
  sax.on('text', (text: string) => cursor?.t(text));
  sax.on('error', (e: Error) => {
    throw e;
  });
  for (const c of input.chunks) sax.write(c);
  if (count !== input.stanzas) throw new Error(`ltx parsed ${count} of ${input.stanzas} stanzas`);
  return count;
}
