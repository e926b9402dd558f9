/**
 * The review board in Chromium: three reviewers label at once and see each other's labels; the classifier's
 * predictions reach every tile while they do, and the server's loop stays responsive; the kappa values on
 * the page equal the ones computed here from `/export.csv`; a page cut off meanwhile catches up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reactor } from 'torsion/internet';
import { LiveHarness, type LiveTab } from 'torsion/live/testing';
import { launchChromium } from 'torsion/testing/chromium';
import { ReviewApp } from './site.js';
import { makeSlide } from './tiles.js';

const TILES = 400;
const CLASSES = ['tumor', 'stroma', 'normal'];

/** Cohen's kappa, written again here so the page's figures are checked against an independent count. */
function kappa(pairs: [string, string][]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const observed = pairs.filter(([a, b]) => a === b).length / n;
  let chance = 0;
  for (const c of CLASSES) chance += (pairs.filter(([a]) => a === c).length / n) * (pairs.filter(([, b]) => b === c).length / n);
  return chance === 1 ? null : (observed - chance) / (1 - chance);
}

async function joinAs(tab: LiveTab, name: string): Promise<void> {
  await tab.page.fill('input[name=reviewer]', name);
  await tab.page.press('input[name=reviewer]', 'Enter');
  await tab.page.locator('[data-live-id=who]', { hasText: name }).waitFor();
}

async function label(tab: LiveTab, tile: number, value: string): Promise<void> {
  await tab.page.click(`.tile[data-tile-id="${tile}"]`);
  await tab.page.click(`button[data-label=${value}]`);
}

/** Waits until the page shows each of `labels` ([tile, reviewer, label]) as a data-label attribute. */
async function waitForLabels(tab: LiveTab, labels: [number, string, string][]): Promise<void> {
  await tab.page.waitForFunction(
    (expected) => expected.every(([t, r, l]) => document.querySelector(`.tile[data-tile-id="${t}"]`)?.getAttribute(`data-label-${r}`) === l),
    labels,
    { timeout: 60_000 },
  );
}

test('apps/review-board: three reviewers and the classifier label one slide live', { timeout: 600_000 }, async () => {
  const browser = await launchChromium();
  const data = mkdtempSync(join(tmpdir(), 'torsion-review-'));
  // One classifier thread, so that it is still at work while the reviewers are.
  const app = await ReviewApp.open({ data, tiles: TILES, seed: 1, classifierThreads: 1, clock: reactor });
  const harness = await LiveHarness.start({ '': app.resource }, { browser, livePages: [app.page] });
  let classified: PromiseLike<void> | undefined;
  try {
    const names = ['alice', 'bob', 'carol'];
    const tabs = await Promise.all(names.map(() => harness.open('/')));
    assert.equal(await tabs[0]!.page.locator('.tile').count(), TILES, 'every tile of the slide is an element of the page');
    await Promise.all(tabs.map((tab, i) => joinAs(tab, names[i]!)));

    // The loop answers a live call quickly while the classifier works on its thread (once the pages have
    // their images: serving them is work of its own).
    await Promise.all(tabs.map((tab) => tab.page.waitForLoadState('networkidle')));
    classified = app.classify();
    const before = app.board.classified;
    const rtts: number[] = [];
    for (let i = 0; i < 7; i++) {
      rtts.push(
        await tabs[0]!.page.evaluate(async () => {
          const w = (await globalThis.torsionLive!).widget(1) as unknown as { callRemote(m: string): PromiseLike<unknown> };
          const t0 = performance.now();
          await w.callRemote('ping');
          return performance.now() - t0;
        }),
      );
    }
    assert.ok(app.board.classified < TILES, `the classifier was still running (${before}..${app.board.classified} of ${TILES} done)`);
    rtts.sort((a, b) => a - b);
    assert.ok(rtts[3]! < 50, `median live call ${rtts[3]!.toFixed(1)} ms while the classifier runs (all: ${rtts.map((t) => t.toFixed(1)).join(', ')})`);

    // Everyone labels at once, on overlapping tiles.
    const made: [number, string, string][] = [];
    names.forEach((name, r) => {
      for (let t = 0; t < 14; t++) made.push([t + r * 3, name, CLASSES[(t * (r + 1) + r) % 3]!]);
    });
    await Promise.all(tabs.map(async (tab, r) => {
      for (const [tile, , value] of made.filter(([, name]) => name === names[r])) await label(tab, tile, value);
    }));
    for (const tab of tabs) await waitForLabels(tab, made);

    // A page cut off from the server misses nothing made meanwhile.
    const carol = tabs[2]!;
    carol.block();
    await carol.waitForState('disconnected');
    const meanwhile: [number, string, string][] = [[100, 'alice', 'normal'], [101, 'bob', 'tumor'], [0, 'alice', 'stroma']];
    for (const [tile, name, value] of meanwhile) await label(tabs[names.indexOf(name)]!, tile, value);
    await waitForLabels(tabs[0]!, meanwhile);
    carol.block(false);
    await carol.waitForState('connected');
    await waitForLabels(carol, meanwhile);

    // The classifier reaches every tile, on every page.
    await classified;
    for (const tab of tabs) {
      await tab.page.waitForFunction((n) => document.querySelectorAll('.tile[data-prediction]').length === n, TILES, { timeout: 60_000 });
    }

    // The kappas on the page are the ones computed here from the export.
    const csv = await (await fetch(harness.url('/export.csv'))).text();
    const [header, ...rows] = csv.trim().split('\r\n');
    assert.equal(header, 'tile,reviewer,label,time,prediction');
    const byRater = new Map<string, Map<number, string>>();
    const rate = (rater: string, tile: number, value: string) => {
      if (!byRater.has(rater)) byRater.set(rater, new Map());
      byRater.get(rater)!.set(tile, value);
    };
    for (const row of rows) {
      const [tile, reviewer, value, time, prediction] = row.split(',');
      assert.ok(!Number.isNaN(Date.parse(time!)), `a time in ${row}`);
      assert.ok(CLASSES.includes(prediction!), `a prediction in ${row}`);
      rate(reviewer!, Number(tile), value!);
      rate('model', Number(tile), prediction!);
    }
    assert.equal(rows.length, new Set([...made, ...meanwhile].map(([t, r]) => `${t}/${r}`)).size, 'one row per current label');
    makeSlide(1, TILES).truth.forEach((value, tile) => rate('truth', tile, value));
    // The model's labels beyond the labelled tiles count too: take them from the pages.
    const predictions = await tabs[0]!.page.evaluate(() => [...document.querySelectorAll('.tile')].map((t) => t.getAttribute('data-prediction')!));
    predictions.forEach((value, tile) => rate('model', tile, value));

    const raters = [...names, 'model', 'truth'].sort();
    await tabs[1]!.page.waitForFunction(() => document.querySelectorAll('[data-kappa]').length === 10);
    for (let i = 0; i < raters.length; i++) {
      for (let j = i + 1; j < raters.length; j++) {
        const [a, b] = [byRater.get(raters[i]!)!, byRater.get(raters[j]!)!];
        const shared = [...a].filter(([t]) => b.has(t)).map(([t, v]) => [v, b.get(t)!] as [string, string]);
        const expected = kappa(shared);
        const shown = await tabs[1]!.page.locator(`[data-kappa="${raters[i]}|${raters[j]}"]`).textContent();
        assert.equal(shown, expected === null ? '\u2014' : expected.toFixed(2), `kappa ${raters[i]} / ${raters[j]} over ${shared.length} tiles`);
      }
    }
    for (const tab of tabs) assert.deepEqual(tab.errors, [], 'no uncaught errors in the page');
  } finally {
    await harness.close();
    await browser.close();
    await app.close();
    rmSync(data, { recursive: true, force: true });
  }
});
