/**
 * Representations of a static file: the gzip and the plain version each have their own entity tag
 * (RFC 9110 §8.8.3) and every answer says `Vary: Accept-Encoding`; content types come from mime-db.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EncodingResourceWrapper, GzipEncoderFactory, codedETag } from '../encoding.js';
import { Site } from '../site.js';
import { File } from './file.js';
import { contentTypeFor } from './mime.js';

const text = 'a line of text that compresses well\n'.repeat(50);
let root: string;
let site: Site;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'torsion-representations-'));
  writeFileSync(join(root, 'page.txt'), text);
  for (const name of ['app.mjs', 'app.js.map', 'mod.wasm', 'main.ts', 'site.webmanifest', 'data.json', 'font.woff2', 'pic.avif', 'clip.webm', 'page.html', 'style.css', 'README']) {
    writeFileSync(join(root, name), 'x');
  }
  site = new Site(new EncodingResourceWrapper(new File(root), [new GzipEncoderFactory()]), { accessLog: false });
});

after(() => rmSync(root, { recursive: true, force: true }));

const GZIP = { 'accept-encoding': 'gzip' };

describe('File behind gzip: one entity tag per representation', () => {
  test('the gzip and plain answers carry different strong ETags, both with Vary: Accept-Encoding', async () => {
    const plain = await site.request('GET', '/page.txt');
    const gz = await site.request('GET', '/page.txt', { headers: GZIP });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), text);
    assert.match(plain.headers.etag, /^"[^"]+"$/);
    assert.match(gz.headers.etag, /^"[^"]+"$/);
    assert.notEqual(gz.headers.etag, plain.headers.etag);
    assert.equal(gz.headers.etag, codedETag(plain.headers.etag, 'gzip'));
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
  });

  test('If-None-Match: each tag revalidates its own representation only', async () => {
    const plainTag = (await site.request('GET', '/page.txt')).headers.etag;
    const gzTag = (await site.request('GET', '/page.txt', { headers: GZIP })).headers.etag;
    const gz304 = await site.request('GET', '/page.txt', { headers: { ...GZIP, 'if-none-match': gzTag } });
    assert.equal(gz304.code, 304);
    assert.equal(gz304.headers.etag, gzTag);
    assert.equal(gz304.headers.vary, 'Accept-Encoding');
    const plain304 = await site.request('GET', '/page.txt', { headers: { 'if-none-match': plainTag } });
    assert.equal(plain304.code, 304);
    assert.equal(plain304.headers.etag, plainTag);
    // A client holding the plain bytes that now accepts gzip gets the gzip representation, and the reverse.
    const crossed = await site.request('GET', '/page.txt', { headers: { ...GZIP, 'if-none-match': plainTag } });
    assert.equal(crossed.code, 200);
    assert.equal(crossed.headers['content-encoding'], 'gzip');
    assert.equal((await site.request('GET', '/page.txt', { headers: { 'if-none-match': gzTag } })).code, 200);
  });

  test('ranges are of the plain representation: its tag, no gzip, If-Range with it is honoured', async () => {
    const plainTag = (await site.request('GET', '/page.txt')).headers.etag;
    const part = await site.request('GET', '/page.txt', { headers: { ...GZIP, range: 'bytes=0-5', 'if-range': plainTag } });
    assert.equal(part.code, 206);
    assert.equal(part.text, text.slice(0, 6));
    assert.equal(part.headers.etag, plainTag);
    assert.equal(part.headers['content-encoding'], undefined);
  });

  test('wrappers nested or a Vary already set: Accept-Encoding is named once', async () => {
    const twice = new Site(new EncodingResourceWrapper(new EncodingResourceWrapper(new File(root), [new GzipEncoderFactory()]), [new GzipEncoderFactory()]), { accessLog: false });
    assert.equal((await twice.request('GET', '/page.txt', { headers: GZIP })).headers.vary, 'Accept-Encoding');
  });

  test('codedETag keeps weak tags weak and leaves malformed ones alone', () => {
    assert.equal(codedETag('"abc"', 'gzip'), '"abc-gzip"');
    assert.equal(codedETag('W/"abc"', 'br'), 'W/"abc-br"');
    assert.equal(codedETag('abc', 'gzip'), 'abc');
  });
});

describe('File content types', () => {
  test('common web types come from mime-db, with a charset on text', async () => {
    const expected: Record<string, string> = {
      '/app.mjs': 'text/javascript; charset=utf-8',
      '/app.js.map': 'application/json; charset=utf-8',
      '/mod.wasm': 'application/wasm',
      '/main.ts': 'text/plain; charset=utf-8',
      '/site.webmanifest': 'application/manifest+json; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/font.woff2': 'font/woff2',
      '/pic.avif': 'image/avif',
      '/clip.webm': 'video/webm',
      '/page.html': 'text/html; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/README': 'application/octet-stream',
    };
    for (const [path, type] of Object.entries(expected)) assert.equal((await site.request('GET', path)).headers['content-type'], type, path);
  });

  test('contentTypes and defaultType still win', async () => {
    const custom = new Site(new File(root, { contentTypes: { '.ts': 'video/mp2t' }, defaultType: 'text/plain' }), { accessLog: false });
    assert.equal((await custom.request('GET', '/main.ts')).headers['content-type'], 'video/mp2t');
    assert.equal((await custom.request('GET', '/README')).headers['content-type'], 'text/plain');
    assert.equal(contentTypeFor('/srv/.hidden', undefined, 'x/fallback'), 'x/fallback');
    assert.equal(contentTypeFor('/srv/dir.d/name', undefined, 'x/fallback'), 'x/fallback');
  });
});
