import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { successResultOf } from '../testing/assertions.js';
import { CDATA, Comment, Element, flattenString, parseTemplate, renderer, Slot, Tag, TemplateSyntaxError, XMLString, type Flattenable } from './index.js';

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));
const T = 'xmlns:t="urn:torsion:template"';

function syntaxError(source: string, filename = 'bad.xml'): TemplateSyntaxError {
  try {
    parseTemplate(source, filename);
  } catch (e) {
    assert.ok(e instanceof TemplateSyntaxError, `expected TemplateSyntaxError, got ${e}`);
    return e;
  }
  assert.fail('template was accepted');
}

describe('XML templates', () => {
  test('t:render calls the renderer with the request and a copy of the tag, and puts its result in place', () => {
    const calls: [unknown, Tag][] = [];
    class Page extends Element {
      static override loader = XMLString(`<ul ${T} class="list"><li t:render="item" class="i">x</li></ul>`);
      @renderer
      item(request: unknown, tag: Tag) {
        calls.push([request, tag]);
        return [tag.clone().add('1'), tag.clone().add('2')];
      }
    }
    const request = { uri: '/' };
    assert.equal(successResultOf(flattenString(request, new Page())), '<ul class="list"><li class="i">x1</li><li class="i">x2</li></ul>');
    assert.equal(calls[0][0], request);
    assert.equal(calls[0][1].render, null);
    assert.equal(Object.isFrozen(calls[0][1]), false, 'the renderer gets a tag it may change');
  });

  test('t:slot fills from fillSlots, or its default', () => {
    class Page extends Element {
      static override loader = XMLString(`<p ${T} t:render="fill"><t:slot name="a"/>|<t:slot name="b" default="(none)"/></p>`);
      @renderer
      fill(_r: unknown, tag: Tag) {
        return tag.fillSlots({ a: 'A' });
      }
    }
    assert.equal(render(new Page()), '<p>A|(none)</p>');
  });

  test('t:attr builds an attribute from text and slots', () => {
    class Page extends Element {
      static override loader = XMLString(`<a ${T} t:render="link"><t:attr name="href">/users/<t:slot name="id"/>/edit</t:attr><t:attr name="class"><t:slot name="cls"/></t:attr>edit</a>`);
      @renderer
      link(_r: unknown, tag: Tag) {
        return tag.fillSlots({ id: 42, cls: 'button' });
      }
    }
    assert.equal(render(new Page()), '<a href="/users/42/edit" class="button">edit</a>');
  });

  test('t:transparent renders only its children, and may name a renderer', () => {
    class Page extends Element {
      static override loader = XMLString(`<div ${T}><t:transparent>a<b>b</b></t:transparent><t:transparent t:render="more">c</t:transparent></div>`);
      @renderer
      more(_r: unknown, tag: Tag) {
        return tag.add('d');
      }
    }
    assert.equal(render(new Page()), '<div>a<b>b</b>cd</div>');
  });

  test("Twisted's namespace works unchanged, and neither namespace reaches the output", () => {
    const twisted = `<html xmlns:t="http://twistedmatrix.com/ns/twisted.web.template/0.1" xmlns="http://www.w3.org/1999/xhtml">
<body><div t:render="content"><t:slot name="greeting"/>, <t:attr name="title"><t:slot name="greeting"/></t:attr>world</div></body></html>`;
    class Page extends Element {
      static override loader = XMLString(twisted);
      @renderer
      content(_r: unknown, tag: Tag) {
        return tag.fillSlots({ greeting: 'Hello' });
      }
    }
    const out = render(new Page());
    assert.equal(out, '<html xmlns="http://www.w3.org/1999/xhtml">\n<body><div title="Hello">Hello, world</div></body></html>');
    assert.doesNotMatch(out, /t:|twistedmatrix|urn:torsion/);
  });

  test('other namespaces and prefixed names are kept', () => {
    const out = render(XMLString(`<svg ${T} xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>`).load());
    assert.equal(out, '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"></use></svg>');
  });

  test('comments, CDATA, entities and character references', () => {
    const nodes = parseTemplate(`<!-- top --><p ${T}><!-- c --><![CDATA[a<b]]>&amp;&lt;&#65;&nbsp;&copy;&mdash;</p>`);
    assert.ok(nodes[0] instanceof Comment);
    const p = nodes[1] as Tag;
    assert.ok(p.children[0] instanceof Comment);
    assert.ok(p.children[1] instanceof CDATA);
    assert.equal(p.children[2], '&<A\u00a0\u00a9\u2014');
    assert.equal(render(nodes), '<!-- top --><p><!-- c --><![CDATA[a<b]]>&amp;&lt;A\u00a0\u00a9\u2014</p>');
  });

  test('the XML declaration, doctype and processing instructions are dropped (renderElement writes the doctype)', () => {
    assert.equal(render(parseTemplate('<?xml version="1.0"?>\n<!DOCTYPE html>\n<?pi x?><p>x</p>')), '<p>x</p>');
  });

  test('tags and slots know the file position they came from', () => {
    const nodes = parseTemplate(`<div ${T}>\n  <span><t:slot name="x"/></span>\n</div>`, 'pos.xml');
    const span = (nodes[0] as Tag).children[1] as Tag;
    assert.deepEqual(span.location, { filename: 'pos.xml', line: 2, column: 3 });
    assert.deepEqual((span.children[0] as Slot).location, { filename: 'pos.xml', line: 2, column: 9 });
  });

  test('a loaded template is frozen and shared by every render', () => {
    const loader = XMLString(`<p ${T}>x</p>`);
    const [p] = loader.load();
    assert.equal(loader.load()[0], p);
    assert.ok(Object.isFrozen(p));
    assert.throws(() => (p as Tag).add('y'), TypeError);
  });

  test('XML that is not well-formed is rejected with the file, line and column', () => {
    const e = syntaxError('<div>\n  <p>unclosed\n</div>', 'page.xml');
    assert.equal(e.filename, 'page.xml');
    assert.equal(e.line, 3);
    assert.ok(e.column >= 1 && e.column <= 7, `column ${e.column}`);
    assert.match(e.message, /^page\.xml:3:\d+: /);
    const e2 = syntaxError('<p>&undefinedentity;</p>');
    assert.equal(e2.line, 1);
    assert.match(e2.message, /undefined entity/);
    const e3 = syntaxError('<p a="1" a="2"/>');
    assert.match(e3.reason, /duplicate|a/i);
    assert.equal(syntaxError('<p><t:slot name="x"/></p>').line, 1, 'an unbound prefix is an error');
  });

  test('misuse of the template namespace is rejected with its position', () => {
    assert.deepEqual(pick(syntaxError(`<p ${T}>\n <t:slot/></p>`)), ['<t:slot> needs a name attribute', 2, 2]);
    assert.deepEqual(pick(syntaxError(`<p ${T}><t:attr>x</t:attr></p>`)), ['<t:attr> needs a name attribute', 1, 35]);
    assert.deepEqual(pick(syntaxError(`<p ${T}><t:bogus/></p>`)), ['unknown template element <t:bogus>', 1, 35]);
    assert.deepEqual(pick(syntaxError(`<p ${T} t:rendr="x"/>`)), ['unknown template attribute t:rendr', 1, 1]);
    assert.match(syntaxError(`<p ${T}><t:slot name="x">content</t:slot></p>`).reason, /takes no content/);
    assert.match(syntaxError(`<t:attr ${T} name="x">v</t:attr>`).reason, /inside an element/);
  });
});

function pick(e: TemplateSyntaxError): [string, number, number] {
  return [e.reason, e.line, e.column];
}
