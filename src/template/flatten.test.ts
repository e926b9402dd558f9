import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, Deferred } from '../defer/index.js';
import { assertNoResult, failureResultOf, successResultOf } from '../testing/assertions.js';
import {
  Element,
  flatten,
  FlattenerError,
  flattenString,
  InvalidName,
  renderer,
  slot,
  Tag,
  tag,
  TagLoader,
  tags,
  UnfilledSlot,
  UnsupportedType,
  XMLString,
  type Flattenable,
} from './index.js';

const render = (root: Flattenable): string => successResultOf(flattenString(null, root));

function failureOf(root: Flattenable): FlattenerError {
  const f = failureResultOf(flattenString(null, root), FlattenerError);
  return f.value as FlattenerError;
}

describe('flattenString', () => {
  test('a tree with nothing to wait for has its string when flattenString returns', () => {
    const d = flattenString(null, tags.p('hi'));
    assert.equal(d.called, true);
    assert.equal(d.result, '<p>hi</p>');
  });

  test('request may be null; renderers receive whatever request is given', () => {
    const seen: unknown[] = [];
    class E extends Element {
      static override loader = TagLoader(tags.p({ render: 'who' }));
      @renderer
      who(request: unknown, t: Tag) {
        seen.push(request);
        return t.add(String(request));
      }
    }
    assert.equal(render(new E()), '<p>null</p>');
    const request = { path: '/x' };
    successResultOf(flattenString(request, new E()));
    assert.deepEqual(seen, [null, request]);
  });

  test('Deferreds, fired or not, and Promises are waited for, in document order', async () => {
    const later = new Deferred<string>();
    const d = flattenString(null, tags.p(Deferred.succeed('a'), later, Promise.resolve('c'), 'd'));
    assertNoResult(d);
    later.callback('b');
    assert.equal(await d, '<p>abcd</p>');
  });

  test('a Deferred that resolves to a tree is flattened in place', async () => {
    const inner = new Deferred<Flattenable>();
    const d = flattenString(null, tags.div(inner));
    inner.callback([tags.b(Deferred.succeed('x')), Promise.resolve(tags.i('y'))]);
    assert.equal(await d, '<div><b>x</b><i>y</i></div>');
  });

  test('flatten leaves the value in the Deferred for its other users', () => {
    const d = Deferred.succeed('kept');
    render(tags.p(d));
    assert.equal(successResultOf(d), 'kept');
  });

  test('iterables are pulled lazily, async iterables item by item', async () => {
    const pulled: number[] = [];
    function* gen() {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield tags.li(i);
      }
    }
    assert.equal(render(tags.ul(gen())), '<ul><li>0</li><li>1</li><li>2</li></ul>');
    assert.deepEqual(pulled, [0, 1, 2]);
    assert.equal(render(tags.p(new Set(['a', 'b']))), '<p>ab</p>');
    async function* agen() {
      yield 'x';
      await new Promise((r) => setImmediate(r));
      yield tags.b('y');
    }
    assert.equal(await flattenString(null, tags.p(agen(), 'z')), '<p>x<b>y</b>z</p>');
  });

  test('values that cannot be rendered fail with UnsupportedType', () => {
    for (const bad of [() => 1, { plain: 'object' }, Symbol('s')]) {
      const e = failureOf(tags.p('first', bad as unknown as Flattenable));
      assert.ok(e.failure.check(UnsupportedType), `${String(bad)} should be unsupported`);
    }
  });

  test('tag and attribute names that would break the markup fail with InvalidName', () => {
    assert.ok(failureOf(tag('a b')).failure.check(InvalidName));
    assert.ok(failureOf(tag('x"><script>')).failure.check(InvalidName));
    assert.ok(failureOf(tags.p({ 'onclick="x"': 1 })).failure.check(InvalidName));
    assert.ok(failureOf(tags.p({ 'a>b': 1 })).failure.check(InvalidName));
    assert.equal(render(tags.p({ 'data-x': 1, 'aria-label': 'l', 'xml:lang': 'en' })), '<p data-x="1" aria-label="l" xml:lang="en"></p>');
  });

  test('an unfilled slot without default fails with UnfilledSlot naming it and where it is', () => {
    const e = failureOf(tags.div(tags.p(slot('title'))));
    const unfilled = e.failure.check(UnfilledSlot) && (e.failure.value as UnfilledSlot);
    assert.ok(unfilled);
    assert.equal(unfilled.slotName, 'title');
    assert.deepEqual(e.trail, ['<div>', '<p>', 'slot("title")']);
  });

  test('errors from templates name the file position of the tags around them', () => {
    const loader = XMLString('<div xmlns:t="urn:torsion:template">\n  <p t:render="boom" />\n</div>', { filename: 'page.xml' });
    class Page extends Element {
      @renderer
      boom(): Flattenable {
        throw new Error('kaboom');
      }
    }
    const e = failureOf(new Page(loader));
    assert.equal(e.failure.value.message, 'kaboom');
    assert.deepEqual(e.trail, ['element Page', '<div> at page.xml:1:1', 'renderer "boom" for <p t:render="boom"> at page.xml:2:3']);
    assert.match(e.message, /kaboom\n {4}in element Page\n {4}in <div> at page.xml:1:1/);
  });

  test('a failed Deferred and a rejected Promise fail the flattening', async () => {
    const e1 = failureOf(tags.p(Deferred.fail(new Error('d failed'))));
    assert.equal(e1.failure.value.message, 'd failed');
    await assert.rejects(flattenString(null, tags.p(Promise.reject(new Error('p failed')))).asPromise(), (e: FlattenerError) => e.failure.value.message === 'p failed');
  });

  test('trees 10,000 levels deep flatten without overflowing the stack (tags, arrays, Deferreds, elements)', () => {
    const depth = 10_000;
    let t: Flattenable = 'leaf';
    for (let i = 0; i < depth; i++) t = tags.b(t);
    const out = render(t);
    assert.equal(out.length, depth * 7 + 4);
    let a: Flattenable = 'x';
    for (let i = 0; i < depth; i++) a = [a];
    assert.equal(render(a), 'x');
    let d: Flattenable = 'y';
    for (let i = 0; i < depth; i++) d = Deferred.succeed(tags.i(d));
    assert.equal(render(d).length, depth * 7 + 1);
    class Nest extends Element {
      constructor(readonly content: Flattenable) {
        super(TagLoader(tags.u({ render: 'inner' })));
      }
      @renderer
      inner(_r: unknown, t2: Tag) {
        return t2.add(this.content);
      }
    }
    let e: Flattenable = 'z';
    for (let i = 0; i < depth; i++) e = new Nest(e);
    assert.equal(render(e).length, depth * 7 + 1);
  });

  test('an XML template 10,000 levels deep parses, renders (compiled) and fills its slot', () => {
    const depth = 10_000;
    const source = `<div xmlns:t="urn:torsion:template" t:render="fill">${'<b>'.repeat(depth)}<t:slot name="x"/>${'</b>'.repeat(depth)}</div>`;
    class Deep extends Element {
      static override loader = XMLString(source);
      @renderer
      fill(_r: unknown, t2: Tag) {
        return t2.fillSlots({ x: 'bottom' });
      }
    }
    const out = render(new Deep());
    assert.equal(out, `<div>${'<b>'.repeat(depth)}bottom${'</b>'.repeat(depth)}</div>`);
    assert.equal(render(new Deep()), out);
  });

  test('a 10,000-level tree waiting on a Deferred at the bottom resumes there', async () => {
    const bottom = new Deferred<string>();
    let t: Flattenable = bottom;
    for (let i = 0; i < 10_000; i++) t = tags.b(t);
    const d = flattenString(null, t);
    bottom.callback('done');
    const out = await d;
    assert.ok(out.startsWith('<b><b>') && out.includes('done') && out.endsWith('</b></b>'));
  });
});

describe('flatten', () => {
  test('cancelling stops the rendering and cancels the Deferred it waits on', () => {
    let cancelled = false;
    const waiting = new Deferred<string>(() => {
      cancelled = true;
    });
    const chunks: string[] = [];
    const d = flatten(null, tags.p('before', waiting, 'after'), (c) => chunks.push(c));
    d.cancel();
    assert.equal(cancelled, true);
    failureResultOf(d, CancelledError);
    assert.deepEqual(chunks, ['<p>before']);
  });

  test('a failing write fails the flattening', () => {
    const d = flatten(null, tags.p('x'), () => {
      throw new Error('socket gone');
    });
    const f = failureResultOf(d, FlattenerError);
    assert.equal((f.value as FlattenerError).failure.value.message, 'socket gone');
  });

  test('on failure, open iterators are closed so generators run their finally blocks', async () => {
    let closed = 0;
    function* gen() {
      try {
        yield 'a';
        yield Deferred.fail(new Error('x'));
      } finally {
        closed++;
      }
    }
    async function* agen() {
      try {
        yield tags.p(gen());
        yield 'never';
      } finally {
        closed++;
      }
    }
    await assert.rejects(flattenString(null, tags.div(agen())).asPromise(), FlattenerError);
    assert.equal(closed, 2);
  });
});
