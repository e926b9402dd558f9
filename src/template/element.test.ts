import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Deferred } from '../defer/index.js';
import { failureResultOf, successResultOf } from '../testing/assertions.js';
import {
  Element,
  FlattenerError,
  flattenString,
  MissingRenderMethod,
  MissingTemplateLoader,
  renderer,
  slot,
  Tag,
  TagLoader,
  tags,
  XMLString,
  type Flattenable,
} from './index.js';

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));
const T = 'xmlns:t="urn:torsion:template"';

function failure(root: Flattenable): Error {
  return (failureResultOf(flattenString(null, root), FlattenerError).value as FlattenerError).failure.value;
}

describe('Element', () => {
  test('the loader given to the constructor wins over the class default', () => {
    class Page extends Element {
      static override loader = TagLoader(tags.p('default'));
    }
    assert.equal(render(new Page()), '<p>default</p>');
    assert.equal(render(new Page(TagLoader(tags.p('given')))), '<p>given</p>');
  });

  test('no loader at all fails with MissingTemplateLoader', () => {
    class Bare extends Element {}
    assert.ok(failure(new Bare()) instanceof MissingTemplateLoader);
  });

  test('renderers marked with @renderer are called by name', () => {
    class Page extends Element {
      static override loader = XMLString(`<p ${T}><b t:render="greeting"/></p>`);
      @renderer
      greeting(_r: unknown, tag: Tag) {
        return tag.add('hello');
      }
    }
    assert.equal(render(new Page()), '<p><b>hello</b></p>');
  });

  test('in plain JavaScript, static renderers lists the renderer methods', () => {
    class Page extends Element {
      static override loader = XMLString(`<p ${T}><b t:render="greeting"/></p>`);
      static override renderers = ['greeting'];
      greeting(_r: unknown, tag: Tag) {
        return tag.add('listed');
      }
    }
    assert.equal(render(new Page()), '<p><b>listed</b></p>');
  });

  test('a method that is not marked is not a renderer: MissingRenderMethod names the renderer', () => {
    class Page extends Element {
      static override loader = XMLString(`<p ${T}><b t:render="secret"/></p>`);
      secret() {
        return 'should not be callable';
      }
    }
    const e = failure(new Page());
    assert.ok(e instanceof MissingRenderMethod);
    assert.equal(e.renderName, 'secret');
    assert.match(e.message, /Page.*"secret"/);
    const missing = failure(new (class Other extends Element {})(XMLString(`<p ${T} t:render="nothere"/>`)));
    assert.ok(missing instanceof MissingRenderMethod && missing.renderName === 'nothere');
  });

  test("the element's own machinery is never a renderer", () => {
    class Page extends Element {
      static override renderers = ['render', 'lookupRenderMethod'];
    }
    for (const name of ['render', 'lookupRenderMethod', 'constructor']) {
      assert.throws(() => new Page().lookupRenderMethod(name), MissingRenderMethod);
    }
  });

  test('renderers are inherited, and an override stays a renderer', () => {
    class Base extends Element {
      static override loader = XMLString(`<p ${T}><b t:render="a"/><i t:render="b"/></p>`);
      @renderer
      a(_r: unknown, tag: Tag) {
        return tag.add('base-a');
      }
      @renderer
      b(_r: unknown, tag: Tag) {
        return tag.add('base-b');
      }
    }
    class Sub extends Base {
      override b(_r: unknown, tag: Tag) {
        return tag.add('sub-b');
      }
    }
    assert.equal(render(new Sub()), '<p><b>base-a</b><i>sub-b</i></p>');
  });

  test('@renderer refuses static methods', () => {
    assert.throws(() => {
      class Bad extends Element {
        // @ts-expect-error -- the decorator's type also rejects a static method.
        @renderer
        static nope(_r: unknown, tag: Tag) {
          return tag;
        }
      }
      return Bad;
    }, TypeError);
  });

  test('renderers may return tags, strings, numbers, arrays, elements, Deferreds, Promises and async iterables', async () => {
    class Inner extends Element {
      static override loader = XMLString(`<em ${T} t:render="x"/>`);
      @renderer
      x(_r: unknown, tag: Tag) {
        return tag.add('inner');
      }
    }
    class Page extends Element {
      static override loader = XMLString(
        `<div ${T}><p t:render="aTag"/><p t:render="aString"/><p t:render="aNumber"/><p t:render="anArray"/><p t:render="anElement"/><p t:render="aDeferred"/><p t:render="aPromise"/><p t:render="anAsyncIterable"/><p t:render="nothing"/></div>`,
      );
      @renderer aTag(_r: unknown, tag: Tag) {
        return tag.add('tag');
      }
      @renderer aString() {
        return 'string<';
      }
      @renderer aNumber() {
        return 3.5;
      }
      @renderer anArray(_r: unknown, tag: Tag) {
        return ['a', tag.clone().add('b')];
      }
      @renderer anElement() {
        return new Inner();
      }
      @renderer aDeferred(_r: unknown, tag: Tag) {
        return Deferred.succeed(tag.add('deferred'));
      }
      @renderer async aPromise(_r: unknown, tag: Tag) {
        await new Promise((r) => setImmediate(r));
        return tag.add('promise');
      }
      @renderer async *anAsyncIterable() {
        yield 'x';
        await new Promise((r) => setImmediate(r));
        yield tags.b('y');
      }
      @renderer nothing() {
        return null;
      }
    }
    assert.equal(
      await flattenString(null, new Page()),
      '<div><p>tag</p>string&lt;3.5a<p>b</p><em>inner</em><p>deferred</p><p>promise</p>x<b>y</b></div>',
    );
  });

  test('a nested element supplies the renderers for its own template, and the outer one takes over again after it', () => {
    class Inner extends Element {
      static override loader = XMLString(`<i ${T} t:render="name"/>`);
      @renderer name(_r: unknown, tag: Tag) {
        return tag.add('inner');
      }
    }
    class Outer extends Element {
      static override loader = TagLoader(tags.div({ render: 'name' }), tags.span({ render: 'child' }), tags.b({ render: 'name' }));
      @renderer name(_r: unknown, tag: Tag) {
        return tag.add('outer');
      }
      @renderer child() {
        return new Inner();
      }
    }
    assert.equal(render(new Outer()), '<div>outer</div><i>inner</i><b>outer</b>');
  });

  test('slot values reach into nested elements, as in Twisted', () => {
    class Inner extends Element {
      static override loader = TagLoader(tags.i(slot('who')));
    }
    assert.equal(render(tags.p(new Inner()).fillSlots({ who: 'filled outside' })), '<p><i>filled outside</i></p>');
  });

  test('a render name outside any element fails clearly', () => {
    const e = failure(tags.p({ render: 'x' }));
    assert.ok(e instanceof MissingRenderMethod);
    assert.match(e.message, /not inside any element/);
  });

  test('render() may be overridden to build the markup in code', () => {
    class Code extends Element {
      override render() {
        return tags.p({ render: 'x' });
      }
      @renderer x(_r: unknown, tag: Tag) {
        return tag.add('from code');
      }
    }
    assert.equal(render(new Code()), '<p>from code</p>');
  });
});
