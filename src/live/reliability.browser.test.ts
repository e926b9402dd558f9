/**
 * Nothing lost, nothing duplicated: calls flow both ways while the connection is closed, blocked or stalled
 * mid-conversation, on WebSocket and on long polling; then the grace period, the fallback to long polling,
 * and the page being gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { Deferred } from '../defer/index.js';
import { launchChromium } from '../testing/chromium.js';
import { PageGone } from './shared/errors.js';
import { LivePage, type LivePageOptions } from './page.js';
import { LiveHarness, type LiveTab } from './testing/index.js';
import { Recorder } from './test-support/recorder.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** A harness serving one live page of `Recorder`s; `roots` collects each load's root element. */
async function serve(options: Partial<LivePageOptions>): Promise<{ harness: LiveHarness; roots: Recorder[] }> {
  const roots: Recorder[] = [];
  const page = new LivePage({
    heartbeatInterval: 0.3,
    heartbeatTimeout: 3,
    ...options,
    element: () => {
      const r = new Recorder();
      roots.push(r);
      return r;
    },
  });
  return { harness: await LiveHarness.start({ live: page }, browser), roots };
}

/** Starts `count` browser→server calls numbered from `from`, without waiting; returns a key to collect them. */
async function browserBurst(tab: LiveTab, from: number, count: number): Promise<void> {
  await tab.page.evaluate(
    async ([f, n]) => {
      const h = await globalThis.torsionLive!;
      const w = h.widget(1) as unknown as { burst(f: number, n: number): Promise<unknown[]> };
      const g = globalThis as unknown as { bursts?: Promise<unknown[]>[] };
      (g.bursts ??= []).push(w.burst(f, n));
    },
    [from, count] as [number, number],
  );
}

async function browserResults(tab: LiveTab): Promise<unknown[]> {
  return tab.page.evaluate(async () => (await Promise.all((globalThis as unknown as { bursts: Promise<unknown[]>[] }).bursts)).flat());
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

for (const transport of ['websocket', 'polling'] as const) {
  describe(`reliable delivery over ${transport}`, () => {
    let harness: LiveHarness;
    let roots: Recorder[];
    before(async () => {
      ({ harness, roots } = await serve({ transports: [transport] }));
    });
    after(async () => {
      await harness.close();
    });

    const cuts: [string, (tab: LiveTab) => Promise<void>][] = [
      ['closed', async (tab) => tab.dropConnection()],
      [
        'blocked',
        async (tab) => {
          tab.block();
          await sleep(1);
          tab.block(false);
        },
      ],
      ['stalled', async (tab) => tab.stall()],
    ];
    for (const [name, cut] of cuts) {
      test(`connection ${name} mid-conversation: every call arrives once, in order, both ways`, async () => {
        const tab = await harness.open('/live');
        const root = roots.at(-1)!;
        const fromServer: Deferred<unknown>[] = [];
        const serverBurst = (from: number, to: number) => {
          for (const i of range(from, to)) fromServer.push(root.callRemote('record', i));
        };
        // Traffic in flight both ways when the connection is cut...
        await browserBurst(tab, 0, 150);
        serverBurst(0, 150);
        await cut(tab);
        // ...more while it is down (queued), then more after.
        serverBurst(150, 250);
        await browserBurst(tab, 150, 250);
        await tab.waitForState('connected');
        for (let i = 0; i < 600 && tab.connection!.attachments < 2; i++) await sleep(0.05);
        assert.ok(tab.connection!.attachments >= 2, 'the page reconnected');
        serverBurst(250, 300);
        await browserBurst(tab, 400, 100);
        const answers = await browserResults(tab);
        assert.deepEqual(answers, [...range(0, 400), ...range(400, 500)].map((i) => i * 2));
        assert.deepEqual(root.received, range(0, 500), 'the server got each call once, in order');
        const fromServerAnswers = await Promise.all(fromServer.map((d) => d.asPromise()));
        assert.deepEqual(fromServerAnswers, range(1, 301));
        assert.deepEqual(await tab.widgetProperty(1, 'received'), range(0, 300), 'the browser got each call once, in order');
        assert.deepEqual(tab.errors, []);
      });
    }
  });
}

describe('fallback and the end of a page', () => {
  test('a page whose WebSockets are killed on the way falls back to long polling', async () => {
    const { harness, roots } = await serve({});
    try {
      const tab = await harness.open('/live', {
        prepare: (page) => page.routeWebSocket(/_live\/ws/, (ws) => ws.close()),
      });
      assert.equal(await tab.transport(), 'polling');
      assert.equal(await tab.callWidget(1, 'tryCall', 'record', 5), 'ok 10');
      assert.deepEqual(roots.at(-1)!.received, [5]);
    } finally {
      await harness.close();
    }
  });

  test('after the grace period the page is gone: the server is told, the browser offers a reload', async () => {
    const { harness, roots } = await serve({ gracePeriod: 1 });
    try {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      const gone = root.notifyOnDisconnect();
      await tab.page.evaluate(() => {
        document.addEventListener('torsion:live-gone', () => document.body.setAttribute('data-gone-event', 'yes'));
      });
      tab.block();
      await gone.asPromise();
      assert.equal(tab.connection, undefined, 'the server forgot the page');
      await assert.rejects(root.callRemote('record', 1).asPromise(), PageGone);
      tab.block(false);
      await tab.waitForState('gone');
      assert.equal(await tab.page.getAttribute('body', 'data-gone-event'), 'yes');
      assert.match((await tab.page.textContent('#torsion-live-gone')) ?? '', /Reload/);
      assert.match(await tab.callWidget(1, 'tryCall', 'record', 1), /^PageGone: /);
    } finally {
      await harness.close();
    }
  });

  test('a reconnection within the grace period keeps the page', async () => {
    const { harness, roots } = await serve({ gracePeriod: 10 });
    try {
      const tab = await harness.open('/live');
      const root = roots.at(-1)!;
      let gone = false;
      root.notifyOnDisconnect().addCallback(() => {
        gone = true;
      });
      tab.block();
      await sleep(1);
      tab.block(false);
      await tab.waitForState('connected');
      assert.equal(await root.callRemote('record', 3), 4);
      assert.equal(gone, false);
      assert.ok(tab.connection !== undefined);
      assert.ok(tab.connection.attachments >= 2, 'the page was cut off and came back on the same connection');
    } finally {
      await harness.close();
    }
  });
});
