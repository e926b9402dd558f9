/**
 * `LiveElement` rendering: where the widget id goes, subclasses that build markup in code, and the
 * errors of elements used wrongly.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, failureResultOf, successResultOf } from '../testing/index.js';
import { TagLoader, renderer, tags, type Flattenable, type Tag } from '../template/index.js';
import { LiveElement } from './element.js';
import { LivePage } from './page.js';

function render(make: () => LiveElement): string {
  const page = new LivePage({ clock: new Clock(), element: make });
  return successResultOf(page.load(null, '/_live/')).html;
}

describe('LiveElement rendering', () => {
  test('a single top-level tag carries the widget id itself', () => {
    class One extends LiveElement {
      static override loader = TagLoader(tags.li({ class: 'x' }, 'item'));
    }
    assert.equal(render(() => new One()), '<li class="x" data-live-widget="1">item</li>');
  });

  test('several top-level nodes, or a tag with a render directive, are wrapped in a div', () => {
    class Two extends LiveElement {
      static override loader = TagLoader(tags.b('a'), tags.i('b'));
    }
    assert.equal(render(() => new Two()), '<div data-live-widget="1"><b>a</b><i>b</i></div>');
    class Directive extends LiveElement {
      static override loader = TagLoader(tags.p({ render: 'text' }));
      @renderer
      text(_r: unknown, tag: Tag): Flattenable {
        return tag.add('rendered');
      }
    }
    assert.equal(render(() => new Directive()), '<div data-live-widget="1"><p>rendered</p></div>');
  });

  test('a subclass overriding render still gets its widget id', () => {
    class Coded extends LiveElement {
      override render(): Flattenable {
        return tags.section('code');
      }
    }
    assert.equal(render(() => new Coded()), '<section data-live-widget="1">code</section>');
  });

  test("a subclass's render that wraps super.render gets its widget id once", () => {
    class Framed extends LiveElement {
      static override loader = TagLoader(tags.i('inner'));
      override render(request: unknown): Flattenable {
        return tags.section(super.render(request));
      }
    }
    assert.equal(render(() => new Framed()), '<section data-live-widget="1"><i>inner</i></section>');
  });

  test('a live element rendered outside a page, or added twice, is an error', () => {
    class Child extends LiveElement {
      static override loader = TagLoader(tags.span('c'));
    }
    class Parent extends LiveElement {
      static override loader = TagLoader(tags.div({ render: 'kids' }));
      readonly stray = new Child();
      @renderer
      kids(): Flattenable {
        return this.stray; // never added with addChildWidget
      }
    }
    const page = new LivePage({ clock: new Clock(), element: () => new Parent() });
    failureResultOf(page.load(null, '/_live/'));
    const a = new Child();
    const p = new Parent();
    successResultOf(p.addChildWidget(a));
    failureResultOf(new Parent().addChildWidget(a));
    failureResultOf(a.callRemote('x'));
  });
});
