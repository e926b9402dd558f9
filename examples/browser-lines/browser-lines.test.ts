import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchChromium } from 'torsion/testing/chromium';

test('examples/browser-lines: a LineReceiver in Chromium echoes lines through the bridge, and /quit closes', async () => {
  // Chromium first: if it is missing, the test fails naming its package without leaving a server running.
  const browser = await launchChromium();
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), 'tcp:0:interface=127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const first = (await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next()).value as string;
    const url = /open (http:\S+)/.exec(first)![1]!;
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('li.received', { hasText: 'hello from the page' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.textContent('#status'), 'connected');
    await page.fill('input[name=line]', 'ping \u2192 pong');
    await page.press('input[name=line]', 'Enter');
    await page.locator('li.received', { hasText: 'ping \u2192 pong' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(await page.locator('li.sent').allTextContents(), ['hello from the page', 'ping \u2192 pong']);
    await page.fill('input[name=line]', '/quit');
    await page.press('input[name=line]', 'Enter');
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.startsWith('closed'), undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#status'))!, /closed cleanly/);
  } finally {
    await browser.close();
    server.kill();
  }
});
