/**
 * Interop with a real browser: headless Chromium (Debian `chromium`) loads a page from a Torsion Site and
 * opens a WebSocket to a `WebSocketResource` on it (subprotocol, permessage-deflate, fragments, close codes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor } from '../../internet/reactor.js';
import { launchChromium } from '../../testing/chromium.js';
import { eventually } from '../../testing/index.js';
import { Data, Resource } from '../resource.js';
import { Site } from '../site.js';
import { WebSocketResource } from './resource.js';
import { Echo } from './test-support.js';

interface PageResult {
  protocol: string;
  extensions: string;
  text: string;
  bin: number[];
  bigOk: boolean;
  close: { code: number; reason: string; wasClean: boolean };
}

// Plain JavaScript, handed to the page as a string: the test's own compiled functions carry helpers the page lacks.
const PAGE_SCRIPT = `(async () => {
  const ws = new WebSocket('ws://' + location.host + '/ws', ['echo']);
  ws.binaryType = 'arraybuffer';
  const inbox = [];
  let wake = null;
  ws.onmessage = (e) => { inbox.push(e.data); if (wake) wake(); };
  async function next() {
    while (inbox.length === 0) await new Promise((r) => (wake = r));
    return inbox.shift();
  }
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send('hello from chromium \u2713');
  const text = await next();
  ws.send(new Uint8Array([1, 2, 3, 250]));
  const bin = Array.from(new Uint8Array(await next()));
  const big = 'z'.repeat(100000);
  ws.send(big);
  const bigBack = await next();
  const closed = new Promise((r) => (ws.onclose = (e) => r({ code: e.code, reason: e.reason, wasClean: e.wasClean })));
  ws.close(4000, 'page done');
  return { protocol: ws.protocol, extensions: ws.extensions, text, bin, bigOk: bigBack === big, close: await closed };
})()`;

test('Chromium talks to a WebSocketResource: echo of text and binary, deflate, fragments, close code', async () => {
  const servers: Echo[] = [];
  const root = new Resource();
  root.putChild('', new Data('<!DOCTYPE html><title>ws</title><p id="p">ws page</p>', 'text/html; charset=utf-8'));
  root.putChild('ws', new WebSocketResource(() => servers[servers.push(new Echo()) - 1]!, { subprotocols: ['echo'], perMessageDeflate: { threshold: 0 }, fragmentSize: 1000 }));
  // Chromium first: if it is missing, the test fails naming its package without leaving a port open.
  const browser = await launchChromium();
  const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/`);
    const result = (await page.evaluate(PAGE_SCRIPT)) as PageResult;
    assert.equal(result.protocol, 'echo');
    assert.match(result.extensions, /permessage-deflate/);
    assert.equal(result.text, 'hello from chromium ✓');
    assert.deepEqual(result.bin, [1, 2, 3, 250]);
    assert.equal(result.bigOk, true);
    assert.equal(result.close.code, 4000);
    assert.equal(result.close.wasClean, true);
    await eventually(() => servers[0]!.lost !== null, { timeout: 10 });
    assert.equal(servers[0]!.lost?.closeCode, 4000);
    assert.equal(servers[0]!.lost?.reason, 'page done');
  } finally {
    await browser.close();
    await port.stopListening();
  }
});
