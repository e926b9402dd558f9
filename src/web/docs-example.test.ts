/**
 * The first example of docs/web.md, run as written (its imports pointed at the sources, its listen line
 * swapped for an export): `/` answers, and so does `/hello`. A bare `Resource` answers 404 at its own URL
 * and a 405 always lists the methods that exist.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IResource } from './interfaces.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';

const docs = fileURLToPath(new URL('../../docs/web.md', import.meta.url));
const LISTEN = /^reactor\.listenTCP\(8080, new Site\(root\)(, \{[^}]*\})?\);$/m;

async function loadFirstExample(): Promise<IResource> {
  const md = readFileSync(docs, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(md.slice(md.indexOf('## Resources')));
  assert.ok(block, 'docs/web.md has a ts block under "## Resources"');
  const code = block[1];
  assert.match(code, LISTEN, 'the example listens on 8080');
  const source = code
    .replace("'torsion/web'", JSON.stringify(new URL('./index.ts', import.meta.url).href))
    .replace("'torsion/internet'", JSON.stringify(new URL('../internet/index.ts', import.meta.url).href))
    .replace(LISTEN, 'export { root };');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-docs-example-'));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, source);
    return ((await import(pathToFileURL(file).href)) as { root: IResource }).root;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs/web.md, first example', () => {
  test('answers at / and at /hello', { timeout: 60_000 }, async () => {
    const site = new Site(await loadFirstExample(), { accessLog: false });
    const home = await site.request('GET', '/');
    assert.equal(home.code, 200);
    assert.match(home.text, /href="\/hello\?name=Ada"/);
    const hello = await site.request('GET', '/hello?name=Ada');
    assert.equal(hello.code, 200);
    assert.equal(hello.text, 'hello Ada');
  });
});

describe('Resource without the renderer asked for', () => {
  test('a bare Resource as root: GET / is 404, not a 405 with an empty Allow', async () => {
    const root = new Resource();
    root.putChild('x', new Resource());
    const site = new Site(root, { accessLog: false });
    for (const method of ['GET', 'HEAD', 'POST']) {
      const res = await site.request(method, '/');
      assert.equal(res.code, 404, method);
      assert.equal(res.headers.allow, undefined, method);
    }
  });

  test('405 lists renderers of the class and those assigned to the instance, never an empty list', async () => {
    class Form extends Resource {
      renderPOST(): string {
        return 'posted';
      }
    }
    const form = new Form();
    const onInstance = Object.assign(new Resource(), { renderPUT: (_r: Request) => 'put' });
    const site = new Site(form, { accessLog: false });
    const res = await site.request('GET', '/');
    assert.equal(res.code, 405);
    assert.equal(res.headers.allow, 'POST');
    const other = new Site(onInstance, { accessLog: false });
    const put = await other.request('DELETE', '/');
    assert.equal(put.code, 405);
    assert.equal(put.headers.allow, 'PUT');
    assert.equal((await other.request('PUT', '/', { body: 'x' })).text, 'put');
  });
});
