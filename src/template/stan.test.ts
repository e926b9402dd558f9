import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Deferred } from '../defer/index.js';
import { successResultOf } from '../testing/assertions.js';
import { CDATA, CharRef, Comment, flattenString, raw, slot, Tag, tag, tags, type Flattenable } from './index.js';

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));

describe('Stan tags', () => {
  test('a first argument that is an object literal is the attributes; the rest are children', () => {
    const t = tags.div({ class: 'card', id: 'c1' }, tags.h1('Hello'), 'text', 42);
    assert.equal(t.tagName, 'div');
    assert.deepEqual(t.attributes, { class: 'card', id: 'c1' });
    assert.equal(t.children.length, 3);
    assert.equal(render(t), '<div class="card" id="c1"><h1>Hello</h1>text42</div>');
  });

  test('without an attributes object, every argument is a child: strings, tags, raw(), Promises', async () => {
    const p = Promise.resolve('later');
    const t = tags.p('a', tags.b('b'), raw('<i>c</i>'), p);
    assert.deepEqual(t.attributes, {});
    assert.equal(t.children.length, 4);
    assert.equal(await flattenString(null, t), '<p>a<b>b</b><i>c</i>later</p>');
  });

  test('an attributes object after the first argument is not taken as attributes', () => {
    const t = tags.p('x', { class: 'no' } as unknown as Flattenable);
    assert.deepEqual(t.attributes, {});
    assert.equal(t.children.length, 2);
  });

  test('items.map(...) children are arrays, flattened in order', () => {
    assert.equal(render(tags.ul(['a', 'b'].map((x) => tags.li(x)))), '<ul><li>a</li><li>b</li></ul>');
  });

  test('the Nevow/Twisted call style: add() merges attributes and appends children', () => {
    const t = tags.ul({ class: 'menu' }).add(tags.li('one')).add({ id: 'm', class: 'menu big' }, tags.li('two'));
    assert.equal(render(t), '<ul class="menu big" id="m"><li>one</li><li>two</li></ul>');
  });

  test('render in the attributes names the renderer and is not an attribute', () => {
    const t = tags.li({ render: 'item', class: 'x' });
    assert.equal(t.render, 'item');
    assert.deepEqual(t.attributes, { class: 'x' });
  });

  test('tag() makes elements tags does not list', () => {
    assert.equal(render(tag('my-widget', { 'data-id': 7 }, 'hi')), '<my-widget data-id="7">hi</my-widget>');
  });

  test('void elements without children close themselves; others always get an end tag', () => {
    assert.equal(render(tags.div(tags.br(), tags.img({ src: '/a.png', alt: '' }), tags.span(), tags.p())), '<div><br /><img src="/a.png" alt="" /><span></span><p></p></div>');
  });

  test('a tag with an empty name is transparent', () => {
    assert.equal(render(tags.p(new Tag('', { ignored: 'yes' }, ['a', tags.b('b')]))), '<p>a<b>b</b></p>');
  });

  test('comments, CDATA and character references', () => {
    assert.equal(render(tags.div(new Comment(' note '), new CDATA('x < y'), new CharRef(160), new CharRef(0x1f600))), '<div><!-- note --><![CDATA[x < y]]>&#160;&#128512;</div>');
    assert.throws(() => new CharRef(0xd800), RangeError);
    assert.throws(() => new CharRef(0), RangeError);
  });

  test('numbers and bigints are text; null, undefined, true and false render nothing', () => {
    assert.equal(render(tags.p(1, ' ', 2.5, ' ', 10n, null, undefined, true, false)), '<p>1 2.5 10</p>');
  });

  test('attribute values: null, undefined and false leave it out, true writes it empty, numbers as text', () => {
    assert.equal(render(tags.input({ type: 'checkbox', checked: true, disabled: false, name: null, value: 0, title: undefined })), '<input type="checkbox" checked="" value="0" />');
  });
});

describe('slots', () => {
  test('fillSlots gives values to slots below; the nearest filling tag wins', () => {
    const inner = tags.span(slot('name')).fillSlots({ name: 'inner' });
    const t = tags.div(slot('name'), inner).fillSlots({ name: 'outer' });
    assert.equal(render(t), '<div>outer<span>inner</span></div>');
  });

  test('fillSlots merges with earlier values', () => {
    const t = tags.p(slot('a'), slot('b')).fillSlots({ a: '1' }).fillSlots({ b: '2' });
    assert.deepEqual(t.slotData, { a: '1', b: '2' });
    assert.equal(render(t), '<p>12</p>');
  });

  test('a slot value may be any flattenable, also a tag or a Deferred', () => {
    const t = tags.p(slot('x'), slot('y')).fillSlots({ x: tags.b('bold'), y: Deferred.succeed('done') });
    assert.equal(render(t), '<p><b>bold</b>done</p>');
  });

  test('an unfilled slot renders its default', () => {
    assert.equal(render(tags.p(slot('missing', 'fallback'))), '<p>fallback</p>');
  });

  test('slots in attribute values', () => {
    const t = tags.a({ href: ['/users/', slot('id')], class: slot('cls') }, slot('name')).fillSlots({ id: 7, cls: 'u', name: 'Ann' });
    assert.equal(render(t), '<a href="/users/7" class="u">Ann</a>');
  });
});

describe('clone and freeze', () => {
  test('a deep clone is independent of the original', () => {
    const original = tags.ul({ class: 'a' }, tags.li('one', [tags.b('x')]));
    const copy = original.clone();
    (copy.children[0] as Tag).children.push('two');
    ((copy.children[0] as Tag).children[1] as Tag[])[0].add('y');
    copy.attributes.class = 'b';
    assert.equal(render(original), '<ul class="a"><li>one<b>x</b></li></ul>');
    assert.equal(render(copy), '<ul class="b"><li>one<b>xy</b>two</li></ul>');
  });

  test('a shallow clone copies the lists of the tag itself but shares the children', () => {
    const child = tags.li('one');
    const original = tags.ul(child).fillSlots({ a: 1 });
    const copy = original.clone(false);
    copy.children.push(tags.li('two'));
    copy.fillSlots({ a: 2 });
    assert.equal(copy.children[0], child);
    assert.equal(original.children.length, 1);
    assert.deepEqual(original.slotData, { a: 1 });
  });

  test('a frozen tree cannot change, and copies share its frozen parts', () => {
    const child = tags.li('one');
    const frozen = tags.ul({ class: 'a' }, child).freeze();
    assert.ok(Object.isFrozen(frozen) && Object.isFrozen(child) && Object.isFrozen(frozen.children));
    assert.throws(() => frozen.add('x'), TypeError);
    assert.throws(() => child.fillSlots({ a: 1 }), TypeError);
    const copy = frozen.clone();
    assert.equal(copy.children[0], child);
    copy.fillSlots({ a: 1 }).add(tags.li('two'));
    copy.attributes.class = 'b';
    assert.equal(render(frozen), '<ul class="a"><li>one</li></ul>');
    assert.equal(render(copy), '<ul class="b"><li>one</li><li>two</li></ul>');
  });

  test('a copy of a frozen tag that is changed renders its changes (not the frozen compiled form)', () => {
    const frozen = tags.tr(tags.td(slot('a')), tags.td('static')).freeze();
    assert.equal(render(frozen.clone().fillSlots({ a: 1 })), '<tr><td>1</td><td>static</td></tr>');
    const changed = frozen.clone();
    changed.children[1] = tags.td('changed');
    assert.equal(render(changed.fillSlots({ a: 2 })), '<tr><td>2</td><td>changed</td></tr>');
    const longer = frozen.clone().add(tags.td('more'));
    assert.equal(render(longer.fillSlots({ a: 3 })), '<tr><td>3</td><td>static</td><td>more</td></tr>');
    const renamed = frozen.clone();
    renamed.tagName = 'div';
    assert.equal(render(renamed.fillSlots({ a: 4 })), '<div><td>4</td><td>static</td></div>');
  });

  test('clone and freeze handle trees 10,000 levels deep', () => {
    let t: Tag = tags.i('leaf');
    for (let i = 0; i < 10_000; i++) t = tags.b(t);
    const copy = t.clone();
    assert.notEqual(copy.children[0], t.children[0]);
    t.freeze();
    assert.ok(Object.isFrozen(t.children[0]));
    assert.equal(render(copy).length, render(t).length);
  });
});
