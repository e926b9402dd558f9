/**
 * Interop with a real browser: headless Chromium (Debian `chromium`, driven by playwright-core) loads a
 * page from a Site and uses `fetch` against it (keep-alive, POST bodies, gzip, cookies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { requirePeer } from '../testing/index.js';
import { reactor } from '../internet/reactor.js';
import { EncodingResourceWrapper, GzipEncoderFactory } from './encoding.js';
import { Data, Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';

class Api extends Resource {
  override isLeaf = true;
  renderPOST(r: Request): string {
    const session = r.getSession();
    const n = ((session.data.get('n') as number | undefined) ?? 0) + 1;
    session.data.set('n', n);
    r.setHeader('Content-Type', 'application/json');
    return JSON.stringify({ got: Buffer.from(r.content).toString(), n, encoding: r.getHeader('accept-encoding') });
  }
}

test('Chromium loads a page and fetches from the Site (POST, session cookie, gzip)', async () => {
  const executablePath = requirePeer('chromium', 'chromium');
  const root = new Resource();
  root.putChild('', new Data('<!DOCTYPE html><title>torsion</title><p id="p">page</p>', 'text/html; charset=utf-8'));
  root.putChild('api', new Api());
  root.putChild('big', new EncodingResourceWrapper(new Data('z'.repeat(50_000), 'text/plain'), [new GzipEncoderFactory()]));
  const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  const base = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    assert.equal(await page.textContent('#p'), 'page');
    const results = await page.evaluate(async () => {
      const a = await (await fetch('/api', { method: 'POST', body: 'hello' })).json();
      const b = await (await fetch('/api', { method: 'POST', body: 'again' })).json();
      const big = await fetch('/big');
      return { a, b, bigLength: (await big.text()).length };
    });
    assert.equal(results.a.got, 'hello');
    assert.equal(results.b.n, 2, 'the session cookie came back');
    assert.match(results.a.encoding, /gzip/);
    assert.equal(results.bigLength, 50_000);
  } finally {
    await browser.close();
    await port.stopListening();
  }
});
