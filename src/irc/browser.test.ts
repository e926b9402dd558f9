/**
 * The browser entry of torsion/irc runs in a real browser: bundled for the browser platform (which fails on
 * any Node import) and driven in headless Chromium (Debian package chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, launchChromium } from '../testing/chromium.js';

test('IRCClient runs in Chromium: SASL PLAIN, UTF-8 and Latin-1 decoding, byte-limit splitting', { timeout: 120_000 }, async () => {
  const bundle = await bundleForBrowser(fileURLToPath(new URL('./test-support/browser-entry.ts', import.meta.url)));
  assert.doesNotMatch(bundle, /from\s*["']node:/);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><title>irc</title>');
    await page.addScriptTag({ content: bundle, type: 'module' });
    await page.waitForFunction('typeof globalThis.ircScenario === "function"');
    const result = (await page.evaluate('globalThis.ircScenario()')) as { written: string; events: string[] };
    const lines = result.written.split('\r\n').filter(Boolean);
    assert.deepEqual(lines.slice(0, 6), ['CAP LS 302', 'NICK web', 'USER web 0 * web', 'CAP REQ sasl', 'AUTHENTICATE PLAIN', `AUTHENTICATE ${Buffer.from('\0web\0pässword').toString('base64')}`]);
    assert.equal(lines[6], 'CAP END');
    assert.deepEqual(result.events, ['sasl:web', 'signedOn', 'privmsg:al!a@h:#c:héllo 😀', 'privmsg:al!a@h:#c:café']);
    const pieces = lines.slice(7);
    assert.ok(pieces.length >= 3);
    assert.equal(pieces.map((l) => l.replace(/^PRIVMSG #c :?/, '')).join(''), 'é'.repeat(600));
  } finally {
    await browser.close();
  }
});
