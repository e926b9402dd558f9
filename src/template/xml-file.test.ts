import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { successResultOf } from '../testing/assertions.js';
import { Element, flattenString, isDevelopmentMode, renderer, Tag, TemplateSyntaxError, XMLFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'torsion-template-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(content: string): string {
  const path = join(dir, `t${counter++}.xml`);
  writeFileSync(path, content);
  return path;
}

const render = (nodes: readonly unknown[]): string => successResultOf(flattenString(null, nodes as never));

describe('XMLFile', () => {
  test('loads a template from a path or a file: URL, parsing it on first load', () => {
    const path = file('<p xmlns:t="urn:torsion:template">from file</p>');
    const byPath = XMLFile(path);
    const byUrl = XMLFile(pathToFileURL(path));
    assert.equal(render(byPath.load()), '<p>from file</p>');
    assert.equal(render(byUrl.load()), '<p>from file</p>');
  });

  test('is parsed once: loaders of the same file share one parse, and later loads reuse it', () => {
    const path = file('<p>once</p>');
    const a = XMLFile(path, { reload: false });
    const b = XMLFile(path, { reload: false });
    const first = a.load();
    assert.equal(a.load(), first);
    assert.equal(b.load(), first);
  });

  test('without reload, a changed file is not read again', () => {
    const path = file('<p>old</p>');
    const loader = XMLFile(path, { reload: false });
    loader.load();
    writeFileSync(path, '<p>new, and longer</p>');
    assert.equal(render(loader.load()), '<p>old</p>');
  });

  test('in development mode (reload), a changed file is parsed again on the next load', () => {
    const path = file('<p>v1</p>');
    const loader = XMLFile(path, { reload: true });
    const first = loader.load();
    assert.equal(loader.load(), first, 'an unchanged file is not parsed again');
    writeFileSync(path, '<p>version 2</p>');
    assert.equal(render(loader.load()), '<p>version 2</p>');
    writeFileSync(path, '<p>broken');
    assert.throws(() => loader.load(), TemplateSyntaxError);
    writeFileSync(path, '<p>fixed again</p>');
    assert.equal(render(loader.load()), '<p>fixed again</p>');
  });

  test('development mode follows NODE_ENV', () => {
    const saved = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'development';
      assert.equal(isDevelopmentMode(), true);
      const path = file('<p>a</p>');
      const loader = XMLFile(path);
      loader.load();
      writeFileSync(path, '<p>bb</p>');
      assert.equal(render(loader.load()), '<p>bb</p>');
      process.env.NODE_ENV = 'production';
      assert.equal(isDevelopmentMode(), false);
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
  });

  test('a syntax error names the file, line and column', () => {
    const path = file('<html>\n  <body>\n    <p>oops</b>\n  </body>\n</html>');
    const loader = XMLFile(path);
    assert.throws(
      () => loader.load(),
      (e: TemplateSyntaxError) => e instanceof TemplateSyntaxError && e.filename === path && e.line === 3 && e.column > 1 && e.message.startsWith(`${path}:3:`),
    );
  });

  test('a missing file fails on load with the path', () => {
    const loader = XMLFile(join(dir, 'nope.xml'));
    assert.throws(() => loader.load(), /nope\.xml/);
  });

  test('as a class default loader, as in Twisted', () => {
    const path = file('<ul xmlns:t="urn:torsion:template"><li t:render="items"><t:slot name="n"/></li></ul>');
    class List extends Element {
      static override loader = XMLFile(path);
      @renderer
      items(_r: unknown, tag: Tag) {
        return [1, 2].map((n) => tag.clone().fillSlots({ n }));
      }
    }
    assert.equal(successResultOf(flattenString(null, new List())), '<ul><li>1</li><li>2</li></ul>');
  });
});
