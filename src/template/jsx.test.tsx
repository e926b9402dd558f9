/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
// Inside this repository the package cannot import itself by name, so this file uses the classic
// transform with `h`; jsx-package.test.ts checks `jsxImportSource: "torsion"` from an installed copy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Deferred } from '../defer/index.js';
import { successResultOf } from '../testing/assertions.js';
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- h and Fragment are what the JSX pragmas call.
import { Element, flattenString, Fragment, h, raw, renderer, slot, Tag, TagLoader, type Flattenable } from './index.js';
import { jsxDEV } from './jsx-dev-runtime.js';
import { Fragment as AutoFragment, jsx, jsxs } from './jsx-runtime.js';

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));

describe('JSX', () => {
  test('elements become Stan tags', () => {
    const el = (
      <div class="card" id="c">
        <h1>Hello</h1>
        text {42}
      </div>
    );
    assert.ok(el instanceof Tag);
    assert.equal(el.tagName, 'div');
    assert.equal(render(el), '<div class="card" id="c"><h1>Hello</h1>text 42</div>');
  });

  test('className and htmlFor are written as class and for; render names the renderer', () => {
    assert.equal(render(<label className="l" htmlFor="name">Name</label>), '<label class="l" for="name">Name</label>');
    const li = <li render="item" class="x" />;
    assert.equal(li.render, 'item');
    assert.deepEqual(li.attributes, { class: 'x' });
  });

  test('boolean attributes, null children, arrays and fragments', () => {
    const items = ['a', 'b'];
    assert.equal(
      render(
        <>
          <input type="checkbox" checked disabled={false} />
          <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>
          {null}
          {false}
        </>,
      ),
      '<input type="checkbox" checked="" /><ul><li>a</li><li>b</li></ul>',
    );
  });

  test('function components are called with their props and children', () => {
    function Card({ title, children }: { title: string; children?: Flattenable }) {
      return (
        <section>
          <h2>{title}</h2>
          {children}
        </section>
      );
    }
    const Text = ({ value }: { value: string }) => value;
    const out = render(
      <Card title="T">
        <p>body</p>
        <Text value="<plain>" />
      </Card>,
    );
    assert.equal(out, '<section><h2>T</h2><p>body</p>&lt;plain&gt;</section>');
    assert.ok((<Text value="x" />) instanceof Tag, 'a component result that is not a tag is wrapped in a transparent one');
  });

  test('values of every kind as children and attributes: slots, Deferreds, Promises, raw()', async () => {
    const el = (
      <a href={['/u/', slot('id')]} title={Deferred.succeed('t')}>
        {slot('name')} {Promise.resolve('later')} {raw('<b>trusted</b>')}
      </a>
    );
    el.fillSlots({ id: 7, name: 'Ann' });
    assert.equal(await flattenString(null, el), '<a href="/u/7" title="t">Ann later <b>trusted</b></a>');
  });

  test('text and attributes are escaped, URL schemes checked', () => {
    const evil = '"><script>alert(1)</script>';
    assert.equal(render(<p title={evil}>{evil}</p>), '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    assert.equal(render(<a href="javascript:alert(1)">x</a>), '<a href="about:invalid#torsion-unsafe-url">x</a>');
  });

  test('JSX in an Element: render names and renderers that return JSX', () => {
    class Page extends Element {
      static override loader = TagLoader(
        <ul>
          <li render="rows" />
        </ul>,
      );
      @renderer rows(_r: unknown, tag: Tag) {
        return ['x', 'y'].map((v) => tag.clone().add(<b>{v}</b>));
      }
    }
    assert.equal(render(new Page()), '<ul><li><b>x</b></li><li><b>y</b></li></ul>');
  });

  test('the automatic runtime: jsx, jsxs, jsxDEV and Fragment build the same tags', () => {
    const auto = jsxs('ul', { class: 'm', children: [jsx('li', { children: 'a' }, 'k1'), jsxDEV('li', { children: 'b' }, 'k2', false, {}, null)] });
    assert.equal(render(auto), '<ul class="m"><li>a</li><li>b</li></ul>');
    assert.equal(render(jsx(AutoFragment, { children: [jsx('i', {}), 'x'] })), '<i></i>x');
    const Comp = (p: { n: number }) => jsx('b', { children: p.n });
    assert.equal(render(jsx(Comp, { n: 3 })), '<b>3</b>');
    assert.equal(render(jsx('label', { className: 'c', htmlFor: 'f', render: undefined, key: 'k' })), '<label class="c" for="f"></label>');
  });

  test('types: unknown attributes and unknown elements are compile errors; data-, aria- and custom elements are fine', () => {
    const ok = (
      <div data-id={1} aria-label="l" onclick="go()">
        <my-widget anything="goes" />
        <svg viewBox="0 0 1 1">
          <path d="M0 0" stroke-width="2" />
        </svg>
      </div>
    );
    // @ts-expect-error -- not an attribute of <div>.
    const badAttr = <div hrefx="/" />;
    // @ts-expect-error -- not an HTML element.
    const badElement = <notanelement />;
    // @ts-expect-error -- functions cannot be rendered.
    const badValue = <p title={() => 1} />;
    assert.ok(ok instanceof Tag && badAttr instanceof Tag && badElement instanceof Tag && badValue instanceof Tag);
  });
});
