/**
 * Runs the live chat with its one command and drives three Chromium pages in the room at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from 'torsion/testing/chromium';

/** The room's log as the page shows it. */
const logOf = (page: Page) => page.locator('.log li').allTextContents();

async function waitForLog(page: Page, line: string): Promise<void> {
  await page.locator('.log li', { hasText: line }).first().waitFor({ timeout: 30_000 });
}

test('examples/live-chat: three browsers in one room see the same conversation', async () => {
  // Chromium first: if it is missing, the test fails naming its package without leaving a server running.
  const browser = await launchChromium();
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url)), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = (await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next()).value as string;
    const url = /(http:\S+)/.exec(first)![1]!;
    const [alice, bob, carol] = await Promise.all([browser.newPage(), browser.newPage(), browser.newPage()]);
    const pages = { alice: alice!, bob: bob!, carol: carol! };
    await Promise.all(Object.values(pages).map((p) => p.goto(url)));

    // Join one after the other, so the notices have a known order.
    for (const [name, page] of Object.entries(pages)) {
      await page.fill('[data-live-id="name"]', name);
      await page.click('[data-live-id="login"] button');
      await waitForLog(page, `* ${name} joined`);
    }
    await waitForLog(pages.alice, '* carol joined');
    // A taken name is refused, with the server's error message shown.
    const dave = await browser.newPage();
    await dave.goto(url);
    await dave.fill('[data-live-id="name"]', 'alice');
    await dave.click('[data-live-id="login"] button');
    await dave.locator('.error', { hasText: 'taken' }).waitFor();
    await dave.close();

    // Everyone talks at once.
    await Promise.all(
      Object.entries(pages).map(async ([name, page]) => {
        for (let i = 1; i <= 3; i++) {
          await page.fill('[data-live-id="text"]', `${name} says ${i}`);
          await page.press('[data-live-id="text"]', 'Enter');
        }
      }),
    );
    for (const page of Object.values(pages)) for (const name of Object.keys(pages)) await waitForLog(page, `${name}: ${name} says 3`);
    const logs = await Promise.all(Object.values(pages).map(logOf));
    const messages = (log: string[]) => log.filter((l) => !l.startsWith('*'));
    assert.equal(messages(logs[0]!).length, 9);
    assert.deepEqual(messages(logs[1]!), messages(logs[0]!), 'bob saw the same messages in the same order as alice');
    assert.deepEqual(messages(logs[2]!), messages(logs[0]!), 'carol too');
    for (const name of Object.keys(pages)) {
      const own = messages(logs[0]!).filter((l) => l.startsWith(`${name}:`));
      assert.deepEqual(own, [1, 2, 3].map((i) => `${name}: ${name} says ${i}`), `${name}'s lines in the order typed`);
    }

    // Carol closes her page: the others see her leave.
    await pages.carol.close();
    await waitForLog(pages.alice, '* carol left');
    await waitForLog(pages.bob, '* carol left');
  } finally {
    await browser.close();
    server.kill();
  }
});
