/**
 * Torsion in the page, in a real browser: a `LineReceiver` bundled for Chromium runs over
 * `connectWebSocketStream`, through a `WebSocketBridgeResource` served by a Torsion `Site`, to a Torsion
 * line server on 127.0.0.1.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { TCPClientEndpoint } from '../../internet/endpoints/stream-endpoints.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { launchChromium } from '../../testing/chromium.js';
import { WebSocketBridgeResource } from './resource.js';
import { listenLines } from './test-support/line-server.js';
import { servePage } from './test-support/page-site.js';

type PageLinesApi = {
  connect(url: string): Promise<void>;
  send(line: string): void;
  sendRepeated(char: string, length: number): void;
  pumpLines(count: number, size: number): void;
  pumpState(): { pauses: number; sent: number };
  lines(): string[];
  lost(): string | null;
  close(): void;
};
declare const pageLines: PageLinesApi;

describe('a LineReceiver in Chromium, through the bridge, to a TCP line server', () => {
  const lines = listenLines();
  let web: IListeningPort;
  let origin: string;
  let browser: Browser;

  before(async () => {
    const endpoint = new TCPClientEndpoint(reactor, '127.0.0.1', lines.number);
    ({ web, origin } = await servePage(new URL('./test-support/page-lines.ts', import.meta.url), 'lines', 'bridge', new WebSocketBridgeResource(endpoint, { closeTimeout: 600 })));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await web?.stopListening();
    await lines.port.stopListening();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (globalThis as { pageLines?: unknown }).pageLines === 'object');
    await page.evaluate((url) => pageLines.connect(url), `${origin.replace('http', 'ws')}/bridge`);
    return page;
  }

  async function waitForLines(page: Page, n: number): Promise<string[]> {
    await page.waitForFunction((count) => pageLines.lines().length >= count, n, { timeout: 60_000 });
    return page.evaluate(() => pageLines.lines());
  }

  test('lines both ways, incl. large ones, and the page closing closes the TCP connection', async () => {
    const page = await openPage();
    try {
      await page.evaluate(() => {
        pageLines.send('hello from the page');
        pageLines.send('caf\u00e9 \u2615');
      });
      assert.deepEqual(await waitForLines(page, 2), ['echo: hello from the page', 'echo: caf\u00e9 \u2615']);
      await page.evaluate(() => {
        pageLines.sendRepeated('y', 1_000_000);
        pageLines.send('big 700000');
      });
      const got = await waitForLines(page, 4);
      assert.deepEqual(got.slice(2), ['echo: 1000000 bytes', 'xxxxxxxxxx... (700000)']);
      assert.ok(lines.factory.lines.includes('yyyyyyyyyyyyyyyyyyyy... (1000000)'));
      const lost = lines.factory.nextLoss();
      await page.evaluate(() => pageLines.close());
      assert.equal((await lost).value.name, 'ConnectionDone');
      await page.waitForFunction(() => pageLines.lost() !== null);
      assert.equal(await page.evaluate(() => pageLines.lost()), 'ConnectionDone');
    } finally {
      await page.close();
    }
  });

  test('the TCP server closing reaches the page as a clean connectionLost, after its last line', async () => {
    const page = await openPage();
    try {
      await page.evaluate(() => {
        pageLines.send('last');
        pageLines.send('quit');
      });
      await page.waitForFunction(() => pageLines.lost() !== null, undefined, { timeout: 60_000 });
      assert.deepEqual(await page.evaluate(() => pageLines.lines()), ['echo: last']);
      assert.equal(await page.evaluate(() => pageLines.lost()), 'ConnectionDone');
    } finally {
      await page.close();
    }
  });

  test('a producer in the page is paused by bufferedAmount and everything still arrives', async () => {
    const page = await openPage();
    try {
      const before = lines.factory.lines.length;
      await page.evaluate(() => pageLines.pumpLines(48, 64 * 1024));
      const got = await waitForLines(page, 48);
      assert.equal(got.length, 48);
      assert.ok(got.every((l) => l === 'echo: 65536 bytes'));
      assert.equal(lines.factory.lines.length - before, 48);
      const state = await page.evaluate(() => pageLines.pumpState());
      assert.equal(state.sent, 48);
      assert.ok(state.pauses > 0, 'the producer was paused at least once');
      await page.evaluate(() => pageLines.close());
    } finally {
      await page.close();
    }
  });
});
