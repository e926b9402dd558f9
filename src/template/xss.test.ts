/**
 * Escaping by construction: hostile strings in every position a value can take must come back out of a
 * parser as the same data, never as markup.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SaxesParser } from 'saxes';
import { Deferred } from '../defer/index.js';
import { successResultOf } from '../testing/assertions.js';
import { CDATA, Comment, Element, escapeText, flattenString, raw, renderer, slot, Tag, tags, UNSAFE_URL, XMLString, type Flattenable } from './index.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '</p><p onclick="alert(1)">',
  '" onmouseover="alert(1)',
  "' onmouseover='alert(1)",
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&quot; onfocus=&quot;alert(1)',
  '--><script>alert(1)</script><!--',
  '--!><script>alert(1)</script>',
  '<!--<script>',
  '->',
  '-',
  ']]><script>alert(1)</script><![CDATA[',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<svg/onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '\u2028\u2029<x>',
  'plain text, nothing special',
];

/** Hostile values for URL attributes that a browser would run or navigate to as script. */
const DANGEROUS_URLS = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  '\u0001\u0002javascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  'javascript\r:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml,<svg onload=alert(1)>',
  'livescript:alert(1)',
];
const SAFE_URLS = ['/users/1?x=<y>&z="w"', 'https://example.com/a b', 'http://x', 'mailto:a@example.com', '#frag', '?q=javascript:x', 'a/javascript:x', 'data:image/png;base64,AAAA', 'tel:+123'];

interface Node {
  type: 'element' | 'text' | 'comment' | 'cdata';
  name?: string;
  attributes?: Record<string, string>;
  children?: Node[];
  value?: string;
}

/** Parses rendered output as XML (it is well-formed XHTML) into a small tree. */
function parse(markup: string): Node {
  const parser = new SaxesParser();
  const root: Node = { type: 'element', name: '#root', attributes: {}, children: [] };
  const open: Node[] = [root];
  const top = () => open[open.length - 1].children!;
  parser.on('error', (e) => {
    throw new Error(`output is not well-formed: ${e.message}\n${markup}`);
  });
  parser.on('opentag', (t) => {
    const node: Node = { type: 'element', name: t.name, attributes: { ...t.attributes } as Record<string, string>, children: [] };
    top().push(node);
    open.push(node);
  });
  parser.on('closetag', () => open.pop());
  parser.on('text', (value) => top().push({ type: 'text', value }));
  parser.on('comment', (value) => top().push({ type: 'comment', value }));
  parser.on('cdata', (value) => top().push({ type: 'cdata', value }));
  parser.write(`<root>${markup}</root>`).close();
  return root.children![0];
}

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));

function elementsIn(node: Node): string[] {
  const out: string[] = [];
  const work = [...(node.children ?? [])];
  while (work.length > 0) {
    const n = work.pop()!;
    if (n.type === 'element') out.push(n.name!);
    work.push(...(n.children ?? []));
  }
  return out;
}

function onlyText(node: Node): string {
  assert.deepEqual(elementsIn(node), [], 'no element may come from data');
  return (node.children ?? []).map((c) => c.value).join('');
}

describe('XSS: hostile strings in every position', () => {
  test('text', () => {
    for (const h of HOSTILE) {
      const p = parse(render(tags.p(h))).children![0];
      assert.equal(onlyText(p), h);
    }
  });

  test('attribute values', () => {
    for (const h of HOSTILE) {
      const p = parse(render(tags.p({ title: h, 'data-x': [h, 1] }))).children![0];
      assert.deepEqual(p.attributes, { title: h, 'data-x': `${h}1` });
      assert.deepEqual(p.children, []);
    }
  });

  test('URL attributes: script schemes are replaced, other URLs kept', () => {
    for (const url of DANGEROUS_URLS) {
      for (const root of [tags.a({ href: url }), tags.img({ src: [url] }), tags.form({ action: slot('u') }).fillSlots({ u: url }), tags.a({ href: Deferred.succeed(url) })]) {
        const el = parse(render(root)).children![0];
        assert.equal(Object.values(el.attributes!)[0], UNSAFE_URL, `${JSON.stringify(url)} in ${root.tagName}`);
      }
    }
    for (const url of SAFE_URLS) assert.equal(parse(render(tags.a({ href: url }))).children![0].attributes!.href, url);
  });

  test('URL attributes: character references cannot hide a scheme from the check', () => {
    // Markup written through raw() inside a larger value is decoded the way a browser would before the check.
    for (const encoded of ['&#106;avascript:alert(1)', '&#x6A;avascript:alert(1)', 'javascript&colon;alert(1)', 'jav&#x09;ascript:alert(1)']) {
      const el = parse(render(tags.a({ href: [raw(encoded), ''] }))).children![0];
      assert.equal(el.attributes!.href, UNSAFE_URL, encoded);
    }
    // Text is escaped, so a reference typed by a user stays literal text: a relative URL, harmless.
    assert.equal(parse(render(tags.a({ href: '&#106;avascript:alert(1)' }))).children![0].attributes!.href, '&#106;avascript:alert(1)');
  });

  test('raw() as the whole value is trusted, also for URL attributes', () => {
    assert.equal(render(tags.a({ href: raw('javascript:void(0)') })), '<a href="javascript:void(0)"></a>');
  });

  test('slots in text and in attributes', () => {
    for (const h of HOSTILE) {
      const p = parse(render(tags.p({ title: slot('s') }, slot('s'), tags.b({ class: ['c-', slot('s')] })).fillSlots({ s: h }))).children![0];
      assert.equal(p.attributes!.title, h);
      assert.equal(p.children![0].value, h);
      assert.equal(p.children![1].attributes!.class, `c-${h}`);
    }
  });

  test('comments', () => {
    for (const h of HOSTILE) {
      const out = render(tags.p(new Comment(h)));
      const p = parse(out).children![0];
      assert.deepEqual(p.children!.map((c) => c.type), ['comment']);
      // HTML ends a comment at -->, --!> or an early > / ->; none may occur inside.
      const body = out.slice('<p><!--'.length, -'--></p>'.length);
      assert.ok(!body.includes('--') && !body.includes('>') && !body.endsWith('-') && !body.endsWith('<!-'), body);
    }
  });

  test('CDATA sections, as XML and as an HTML parser reads them', () => {
    for (const h of HOSTILE) {
      const out = render(tags.p(new CDATA(h)));
      const p = parse(out).children![0];
      assert.equal(onlyText(p), h);
      // HTML treats <![CDATA[ as a bogus comment ending at the first '>': what is left must hold no tag.
      const html = out.slice(3, -4).replace(/<!\[CDATA\[[^>]*>/g, '');
      assert.ok(!html.includes('<'), html);
    }
  });

  test('tags inside attribute values become escaped text', () => {
    for (const h of HOSTILE) {
      const p = parse(render(tags.p({ title: tags.b(h) }))).children![0];
      assert.equal(p.attributes!.title, `<b>${escapeText(h)}</b>`);
      assert.deepEqual(p.children, []);
    }
  });

  test('XML templates: slots and t:attr values', () => {
    const loader = XMLString('<p xmlns:t="urn:torsion:template" t:render="fill"><t:attr name="title"><t:slot name="s"/></t:attr><a><t:attr name="href"><t:slot name="s"/></t:attr><t:slot name="s"/></a></p>');
    for (const h of [...HOSTILE, ...DANGEROUS_URLS.slice(0, 3)]) {
      class Page extends Element {
        @renderer
        fill(_r: unknown, tag: Tag) {
          return tag.fillSlots({ s: h });
        }
      }
      const p = parse(render(new Page(loader))).children![0];
      assert.equal(p.attributes!.title, h);
      const a = p.children![0];
      assert.equal(onlyText(a), h);
      assert.equal(a.attributes!.href, DANGEROUS_URLS.includes(h) ? UNSAFE_URL : h);
    }
  });

  test('renderer results, Deferreds and Promises are escaped like any text', async () => {
    for (const h of HOSTILE) {
      class Page extends Element {
        static override loader = XMLString('<div xmlns:t="urn:torsion:template"><span t:render="value"/></div>');
        @renderer
        value() {
          return [h, Deferred.succeed(h), Promise.resolve(h)];
        }
      }
      const div = parse(await flattenString(null, new Page())).children![0];
      assert.equal(onlyText(div), h + h + h);
    }
  });

  test('only raw() passes markup through', () => {
    const p = parse(render(tags.p(raw('<b>bold</b>'), '<b>not bold</b>'))).children![0];
    assert.deepEqual(elementsIn(p), ['b']);
    assert.equal(p.children![1].value, '<b>not bold</b>');
  });
});
