/**
 * Live widgets in Chromium: rendering, calls both ways, errors crossing the wire, event wiring, child widgets
 * added and detached from either side, on WebSocket and on long polling.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../testing/chromium.js';
import { RemoteError } from './shared/errors.js';
import { Resource } from '../web/index.js';
import { LivePage } from './page.js';
import { LiveHarness } from './testing/index.js';
import { Badge, Recorder } from './test-support/recorder.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

test('a live page nested deeper in the tree serves its runtime and endpoints under its own path', async () => {
  const page = new LivePage({ element: () => new Recorder('nested') });
  const apps = new Resource();
  apps.putChild('chat', page);
  const harness = await LiveHarness.start({ apps }, { browser, livePages: [page] });
  try {
    const tab = await harness.open('/apps/chat/');
    assert.equal(await tab.widgetProperty(1, 'label'), 'nested');
    assert.equal(await tab.callWidget(1, 'tryCall', 'record', 2), 'ok 4');
  } finally {
    await harness.close();
  }
});

for (const transport of ['websocket', 'polling'] as const) {
  test(`a widget module is fetched only when a widget of its class first appears (${transport})`, async () => {
    const roots: Recorder[] = [];
    const page = new LivePage({ transports: [transport], element: () => roots[roots.push(new Recorder()) - 1]! });
    const harness = await LiveHarness.start({ live: page }, browser);
    try {
      const fetched: string[] = [];
      const tab = await harness.open('/live', {
        prepare: async (p) => {
          p.on('request', (r) => {
            const m = /\/_live\/modules\/(\w+)\.js$/.exec(r.url());
            if (m) fetched.push(m[1]!);
          });
        },
      });
      assert.deepEqual(fetched, ['Recorder']);
      const root = roots.at(-1)!;
      await root.addChildWidget(new Badge('one'));
      await root.addChildWidget(new Badge('two'));
      assert.deepEqual(fetched, ['Recorder', 'Badge'], 'loaded once, when the first Badge appeared');
      assert.deepEqual(await tab.page.locator('.badge').allTextContents(), ['one', 'two']);
    } finally {
      await harness.close();
    }
  });

  describe(`live calls over ${transport}`, () => {
    let harness: LiveHarness;
    let roots: Recorder[];
    before(async () => {
      roots = [];
      const page = new LivePage({
        transports: [transport],
        element: () => {
          const r = new Recorder();
          r.initialChildren = [new Badge('first')];
          roots.push(r);
          return r;
        },
      });
      harness = await LiveHarness.start({ live: page }, browser);
    });
    after(async () => {
      await harness.close();
    });

    test('the page renders the widgets with their initial arguments and connects', async () => {
      const tab = await harness.open('/live');
      assert.equal(await tab.transport(), transport);
      assert.equal(await tab.page.textContent('[data-live-widget="1"] [data-live-id="status"]'), 'ready');
      assert.equal(await tab.widgetProperty(1, 'label'), 'root');
      assert.equal(await tab.widgetProperty(1, 'loadedCount'), 1);
      assert.equal(await tab.page.textContent('.badge'), 'first');
      assert.deepEqual(tab.errors, []);
    });

    test('browser → server: results, Deferred results, and errors with their type and message', async () => {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      assert.equal(await tab.callWidget(1, 'tryCall', 'record', 21), 'ok 42');
      assert.equal(await tab.callWidget(1, 'tryCall', 'later', 'x'), 'ok "later x"');
      assert.equal(await tab.callWidget(1, 'tryCall', 'fails'), 'TypeError: server says no');
      assert.match(await tab.callWidget(1, 'tryCall', 'secret'), /^NoSuchMethod: /);
      assert.match(await tab.callWidget(1, 'tryCall', 'nonexistent'), /^NoSuchMethod: /);
      assert.match(await tab.callWidget(1, 'tryCall', 'record', 'x'.repeat(300_000)), /^InvalidArguments: /);
      assert.deepEqual(root.received, [21]);
    });

    test('server → browser: results and errors', async () => {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      assert.equal(await root.callRemote('record', 1), 2);
      await assert.rejects(root.callRemote('fails').asPromise(), (e: RemoteError) => e instanceof RemoteError && e.type === 'RangeError' && e.message === 'browser says no');
      await assert.rejects(root.callRemote('secret').asPromise(), (e: RemoteError) => e.type === 'NoSuchMethod');
      assert.deepEqual(await tab.widgetProperty(1, 'received'), [1]);
    });

    test('data-live-on wires events to widget methods, scoped by nodeById', async () => {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      await tab.page.click('[data-live-widget="1"] > [data-live-id="button"]');
      await tab.page.waitForFunction(() => document.querySelector('[data-live-id="status"]')?.textContent === 'clicked');
      for (let i = 0; i < 400 && root.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(root.received, ['click']);
    });

    test('nodeById and nodesByAttribute stay inside their widget, not its children', async () => {
      const tab = await harness.open('/live');
      const counts = await tab.page.evaluate(async () => {
        const h = await globalThis.torsionLive!;
        const root = h.widget(1)!;
        const badge = h.widget(2)!;
        return [root.nodesByAttribute('data-live-id', 'text').length, badge.nodesByAttribute('data-live-id', 'text').length, root.nodeById('status').textContent];
      });
      assert.deepEqual(counts, [0, 1, 'ready']);
    });

    test('child widgets added later load their module on demand and can be called at once; detach from either side', async () => {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      const badge = root.childWidgets[0] as Badge;
      // The server detaches the render-time child: its node leaves the page, hooks run both sides.
      await badge.detach();
      assert.equal(badge.detachedCount, 1);
      assert.equal(await tab.page.locator('.badge').count(), 0);
      const added = await root.addChildWidget(new Badge('late'));
      assert.equal(await added.callRemote('show', 7), 'late:7');
      assert.equal(await tab.page.textContent('.badge'), 'late');
      // The browser detaches it: the server's hook runs.
      await tab.page.evaluate(async (id) => {
        const h = await globalThis.torsionLive!;
        await h.widget(id)!.detach();
      }, added.widgetId!);
      assert.equal(added.detachedCount, 1);
      assert.equal(await tab.page.locator('.badge').count(), 0);
      await assert.rejects(added.callRemote('show', 1).asPromise());
    });
  });
}
