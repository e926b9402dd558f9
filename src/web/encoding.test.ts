import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { EncodingResourceWrapper, GzipEncoderFactory, acceptsEncoding } from './encoding.js';
import { NameVirtualHost, hostName } from './vhost.js';
import { Data, NOT_DONE_YET, Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';

const text = 'hello gzip '.repeat(100);
const big = 'x'.repeat(200 * 1024);

class Texts extends Resource {
  override getChild(segment: string) {
    return segment === 'big' ? new Data(big, 'text/plain') : new Data(text, 'text/plain');
  }
}

function gzipSite(): Site {
  return new Site(new EncodingResourceWrapper(new Texts(), [new GzipEncoderFactory()]), { accessLog: false });
}

describe('gzip', () => {
  test('a small body is gzipped with a Content-Length when asked', async () => {
    const res = await gzipSite().request('GET', '/small', { headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(Number(res.headers['content-length']), res.body.length);
    assert.ok(res.body.length < text.length);
    assert.equal(gunzipSync(res.body).toString(), text);
  });

  test('a big body streams through zlib (chunked)', async () => {
    const res = await gzipSite().request('GET', '/big', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(gunzipSync(res.body).toString(), big);
  });

  test('not gzipped when not accepted, or for q=0, or for HEAD', async () => {
    for (const ae of [undefined, 'gzip;q=0', 'identity']) {
      const res = await gzipSite().request('GET', '/small', { headers: ae ? { 'accept-encoding': ae } : {} });
      assert.equal(res.headers['content-encoding'], undefined, String(ae));
      assert.equal(res.text, text);
    }
    const head = await gzipSite().request('HEAD', '/small', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(head.headers['content-encoding'], undefined);
  });

  test('streamed writes with NOT_DONE_YET are encoded too', async () => {
    class Later extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        setImmediate(() => {
          r.write('part one, ');
          r.write('part two');
          r.finish();
        });
        return NOT_DONE_YET;
      }
    }
    const site = new Site(new EncodingResourceWrapper(new Later(), [new GzipEncoderFactory()]), { accessLog: false });
    const res = await site.request('GET', '/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gunzipSync(res.body).toString(), 'part one, part two');
  });

  test('acceptsEncoding', () => {
    assert.equal(acceptsEncoding('gzip, deflate', 'gzip'), true);
    assert.equal(acceptsEncoding('*;q=0.1', 'gzip'), true);
    assert.equal(acceptsEncoding('*, gzip;q=0', 'gzip'), false);
    assert.equal(acceptsEncoding(null, 'gzip'), false);
  });
});

describe('NameVirtualHost', () => {
  test('dispatches on Host, ignoring case and port; unknown hosts get the default or 404', async () => {
    const vhost = new NameVirtualHost();
    const a = new Resource();
    a.putChild('x', new Data('A', 'text/plain'));
    vhost.addHost('a.example', a);
    vhost.addHost('b.example', new Data('B', 'text/plain'));
    const site = new Site(vhost, { accessLog: false });
    assert.equal((await site.request('GET', '/x', { headers: { host: 'A.Example:8080' } })).text, 'A');
    assert.equal((await site.request('GET', '/', { headers: { host: 'b.example' } })).text, 'B');
    assert.equal((await site.request('GET', '/', { headers: { host: 'c.example' } })).code, 404);
    vhost.default = new Data('D', 'text/plain');
    assert.equal((await site.request('GET', '/', { headers: { host: 'c.example' } })).text, 'D');
    assert.equal(hostName('[::1]:80'), '[::1]');
  });
});
