import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Deferred } from '../defer/index.js';
import { assertNoResult, failureResultOf, successResultOf } from '../testing/assertions.js';
import { Element, flatten, FlattenerError, renderer, slot, Tag, TagLoader, tags, XMLString, type Flattenable } from './index.js';

/** Flattens `root`, recording each write. */
function record(root: Flattenable) {
  const chunks: string[] = [];
  const done = flatten(null, root, (c) => chunks.push(c));
  return { chunks, done };
}

describe('streaming', () => {
  test('everything before the first unresolved Deferred is written at once, in one write', () => {
    const wait = new Deferred<Flattenable>();
    const { chunks, done } = record(tags.html(tags.head(tags.title('T')), tags.body(tags.h1('Title'), tags.p('intro'), wait, tags.p('end'))));
    assert.deepEqual(chunks, ['<html><head><title>T</title></head><body><h1>Title</h1><p>intro</p>']);
    assertNoResult(done);
    wait.callback(tags.ul(tags.li('row')));
    assert.deepEqual(chunks.slice(1), ['<ul><li>row</li></ul><p>end</p></body></html>']);
    assert.equal(successResultOf(done), undefined);
  });

  test('values resolving out of order are written in document order', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const c = new Deferred<string>();
    const { chunks, done } = record(tags.ol(tags.li(a), tags.li(b), tags.li(c)));
    assert.deepEqual(chunks, ['<ol><li>']);
    c.callback('C');
    b.callback('B');
    assert.deepEqual(chunks, ['<ol><li>'], 'nothing after the first pending value may be written');
    a.callback('A');
    assert.equal(chunks.join(''), '<ol><li>A</li><li>B</li><li>C</li></ol>');
    successResultOf(done);
  });

  test('a renderer that waits streams the page up to it (XML template)', () => {
    const rows = new Deferred<string[]>();
    class Page extends Element {
      static override loader = XMLString(
        '<html xmlns:t="urn:torsion:template"><body><h1>Users</h1><ul><li t:render="users"><t:slot name="name"/></li></ul><p>footer</p></body></html>',
      );
      @renderer
      users(_r: unknown, tag: Tag) {
        return rows.addCallback((names) => names.map((n) => tag.clone().fillSlots({ name: n })));
      }
    }
    const { chunks, done } = record(new Page());
    assert.deepEqual(chunks, ['<html><body><h1>Users</h1><ul>']);
    rows.callback(['ann', 'bob']);
    assert.equal(chunks.join(''), '<html><body><h1>Users</h1><ul><li>ann</li><li>bob</li></ul><p>footer</p></body></html>');
    successResultOf(done);
  });

  test('output written while an attribute value waits never ends inside the start tag', () => {
    const href = new Deferred<string>();
    const { chunks, done } = record(tags.div('before', tags.a({ class: 'x', href: ['/u/', href] }, 'link')));
    assert.deepEqual(chunks, ['<div>before']);
    href.callback('7');
    assert.equal(chunks.join(''), '<div>before<a class="x" href="/u/7">link</a></div>');
    successResultOf(done);
  });

  test('a slot filled with a Deferred is waited for where the slot is', () => {
    const d = new Deferred<string>();
    const { chunks, done } = record(tags.p('a', slot('x'), 'c').fillSlots({ x: d }));
    assert.deepEqual(chunks, ['<p>a']);
    d.callback('b');
    assert.equal(chunks.join(''), '<p>abc</p>');
    successResultOf(done);
  });

  test('a renderer failing mid-stream: what came before is written, then the flattening fails', () => {
    const wait = new Deferred<Flattenable>();
    class Page extends Element {
      static override loader = TagLoader(tags.div(tags.p('one'), tags.p({ render: 'slow' }), tags.p('three')));
      @renderer
      slow() {
        return wait;
      }
    }
    const { chunks, done } = record(new Page());
    assert.deepEqual(chunks, ['<div><p>one</p>']);
    wait.errback(new Error('database down'));
    const f = failureResultOf(done, FlattenerError);
    assert.equal((f.value as FlattenerError).failure.value.message, 'database down');
    assert.deepEqual(chunks, ['<div><p>one</p>']);
  });

  test('a failure inside an attribute value writes nothing of the unfinished start tag', () => {
    const wait = new Deferred<string>();
    const { chunks, done } = record(tags.div('ok', tags.a({ href: wait }, 'x')));
    wait.errback(new Error('no link'));
    failureResultOf(done, FlattenerError);
    assert.deepEqual(chunks, ['<div>ok']);
  });

  test('a synchronous page of several hundred KiB is written in chunks as it is produced', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => tags.li(`row ${i}`));
    const { chunks, done } = record(tags.ul(rows));
    successResultOf(done);
    assert.ok(chunks.length > 3, `expected several chunks, got ${chunks.length}`);
    assert.equal(chunks.join(''), `<ul>${rows.map((_, i) => `<li>row ${i}</li>`).join('')}</ul>`);
  });
});
