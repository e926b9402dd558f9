import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPushProducer } from '../../internet/interfaces.js';
import { Site } from '../site.js';
import { File } from './file.js';
import { parseRange } from './range.js';
import { wire } from '../test-support.js';

let base: string;
let root: string;
let site: Site;
const big = Buffer.alloc(3 * 1024 * 1024 + 17);
for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'torsion-file-'));
  root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(root, 'hello.txt'), 'hello world');
  writeFileSync(join(root, 'page.html'), '<p>hi</p>');
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(root, '<script>alert(1)<\\script>&.txt'), 'x');
  mkdirSync(join(root, 'withindex'));
  writeFileSync(join(root, 'withindex', 'index.html'), 'INDEX');
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'a.json'), '{}');
  symlinkSync(join(base, 'secret.txt'), join(root, 'escape.txt'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'inside.txt'));
  utimesSync(join(root, 'hello.txt'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z'));
  site = new Site(new File(root), { accessLog: false });
});

after(() => rmSync(base, { recursive: true, force: true }));

describe('File', () => {
  test('serves a file with type, length, validators', async () => {
    const res = await site.request('GET', '/hello.txt');
    assert.equal(res.code, 200);
    assert.equal(res.text, 'hello world');
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.headers['content-length'], '11');
    assert.equal(res.headers['last-modified'], 'Tue, 02 Jan 2024 03:04:05 GMT');
    assert.match(res.headers.etag, /^"b-[0-9a-f]+"$/);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal((await site.request('GET', '/page.html')).headers['content-type'], 'text/html; charset=utf-8');
    assert.equal((await site.request('GET', '/big.bin')).headers['content-type'], 'application/octet-stream');
  });

  test('streams a large file intact', async () => {
    const res = await site.request('GET', '/big.bin');
    assert.equal(res.body.length, big.length);
    assert.ok(res.body.equals(big));
  });

  test('HEAD gives the headers only; POST is 405', async () => {
    const res = await site.request('HEAD', '/big.bin');
    assert.equal(res.headers['content-length'], String(big.length));
    assert.equal(res.body.length, 0);
    const post = await site.request('POST', '/hello.txt', { body: 'x' });
    assert.equal(post.code, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('directories: redirect to the slash, index file, escaped listing, listing off', async () => {
    const r = await site.request('GET', '/withindex?a=1');
    assert.equal(r.code, 301);
    assert.equal(r.headers.location, '/withindex/?a=1');
    assert.equal((await site.request('GET', '/withindex/')).text, 'INDEX');
    const listing = await site.request('GET', '/');
    assert.equal(listing.code, 200);
    assert.ok(!listing.text.includes('<script>alert'), 'name escaped');
    assert.ok(listing.text.includes('&lt;script&gt;alert(1)&lt;\\script&gt;&amp;.txt'));
    assert.ok(listing.text.includes('href="%3Cscript%3Ealert(1)%3C%5Cscript%3E%26.txt"'));
    assert.ok(listing.text.includes('href="sub/"'));
    const closed = new Site(new File(root, { directoryListing: false }), { accessLog: false });
    assert.equal((await closed.request('GET', '/sub/')).code, 403);
  });

  test('no path leaves the root', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/%2e%2e/%2e%2e/secret.txt', '/sub%2F..%2F..%2Fsecret.txt', '/..%5csecret.txt', '/sub/..%2f..%2fsecret.txt', '/escape.txt', '/%00', '/./hello.txt']) {
      const res = await site.request('GET', p);
      assert.equal(res.code, 404, p);
      assert.ok(!res.text.includes('TOP SECRET'), p);
    }
    assert.equal((await site.request('GET', '/inside.txt')).text, 'hello world');
    const lenient = new Site(new File(root, { followSymlinksOutside: true }), { accessLog: false });
    assert.equal((await lenient.request('GET', '/escape.txt')).text, 'TOP SECRET');
  });

  test('ranges: single, suffix, open-ended, multiple, unsatisfiable, ignored when If-Range does not match', async () => {
    const one = await site.request('GET', '/hello.txt', { headers: { range: 'bytes=0-4' } });
    assert.equal(one.code, 206);
    assert.equal(one.text, 'hello');
    assert.equal(one.headers['content-range'], 'bytes 0-4/11');
    assert.equal((await site.request('GET', '/hello.txt', { headers: { range: 'bytes=-5' } })).text, 'world');
    assert.equal((await site.request('GET', '/hello.txt', { headers: { range: 'bytes=6-' } })).text, 'world');
    const multi = await site.request('GET', '/hello.txt', { headers: { range: 'bytes=0-1,6-7' } });
    assert.equal(multi.code, 206);
    const boundary = /boundary=(\w+)/.exec(multi.headers['content-type'])![1];
    assert.equal(Number(multi.headers['content-length']), multi.body.length);
    assert.equal(
      multi.text,
      `\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/11\r\n\r\nhe\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 6-7/11\r\n\r\nwo\r\n--${boundary}--\r\n`,
    );
    const bad = await site.request('GET', '/hello.txt', { headers: { range: 'bytes=50-60' } });
    assert.equal(bad.code, 416);
    assert.equal(bad.headers['content-range'], 'bytes */11');
    const stale = await site.request('GET', '/hello.txt', { headers: { range: 'bytes=0-4', 'if-range': '"other"' } });
    assert.equal(stale.code, 200);
    assert.equal(stale.text, 'hello world');
    const etag = (await site.request('HEAD', '/hello.txt')).headers.etag;
    assert.equal((await site.request('GET', '/hello.txt', { headers: { range: 'bytes=0-4', 'if-range': etag } })).code, 206);
    assert.equal((await site.request('GET', '/hello.txt', { headers: { range: 'bytes=0-4', 'if-range': 'Tue, 02 Jan 2024 03:04:05 GMT' } })).code, 206);
  });

  test('parseRange merges, bounds and refuses nonsense', () => {
    assert.deepEqual(parseRange('bytes=0-3,2-5,10-', 12), [{ start: 0, end: 5 }, { start: 10, end: 11 }]);
    assert.equal(parseRange('bytes=5-2', 12), null);
    assert.equal(parseRange('items=0-1', 12), null);
    assert.equal(parseRange('bytes=20-', 12), 'unsatisfiable');
    assert.equal(parseRange(`bytes=${Array.from({ length: 40 }, (_, i) => `${i}-${i}`).join(',')}`, 100), null);
  });

  test('conditional requests: If-None-Match and If-Modified-Since give 304', async () => {
    const first = await site.request('GET', '/hello.txt');
    const inm = await site.request('GET', '/hello.txt', { headers: { 'if-none-match': `"x", ${first.headers.etag}` } });
    assert.equal(inm.code, 304);
    assert.equal(inm.body.length, 0);
    assert.equal((await site.request('GET', '/hello.txt', { headers: { 'if-none-match': '"nope"' } })).code, 200);
    assert.equal((await site.request('GET', '/hello.txt', { headers: { 'if-modified-since': 'Tue, 02 Jan 2024 03:04:05 GMT' } })).code, 304);
    assert.equal((await site.request('GET', '/hello.txt', { headers: { 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' } })).code, 200);
  });

  test('streaming stops while the connection is paused and resumes after (backpressure)', async () => {
    const w = wire(new File(root));
    w.send('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    while (w.transport.producer === null) await new Promise((r) => setImmediate(r));
    const producer = w.transport.producer as IPushProducer;
    producer.pauseProducing();
    await new Promise((r) => setTimeout(r, 50));
    const pausedAt = w.transport.value().length;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(w.transport.value().length, pausedAt, 'nothing written while paused');
    assert.ok(pausedAt < big.length, 'not everything was sent before the pause');
    producer.resumeProducing();
    while (w.transport.producer !== null) await new Promise((r) => setTimeout(r, 5));
    const out = w.transport.value();
    const body = out.subarray(out.indexOf('\r\n\r\n') + 4);
    assert.ok(body.equals(big));
  });
});
