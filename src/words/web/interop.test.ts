/**
 * Interop: headless Chromium on the web chat and the npm package irc-framework (an IRC client library nobody
 * here wrote) on the IRC server, in the same room of one `torsion words` application at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.js';
import { WordsApplication } from '../plugin.js';
import { connectIRCFramework, newIRCFrameworkClient, waitFor, type IRCFrameworkClient } from '../irc/test-support/irc-framework.js';

async function waitForLine(page: Page, nick: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([n, t]) => [...document.querySelectorAll('.message')].some((m) => m.querySelector('.nick')?.textContent === n && m.querySelector('.text')?.textContent === t),
    [nick, text] as const,
    { timeout: 60_000 },
  );
}

describe('a browser and an IRC client in the same room', () => {
  let browser: Browser;
  let app: WordsApplication;
  let data: string;
  let url: string;
  const clients: IRCFrameworkClient[] = [];

  before(async () => {
    // Chromium first: if it is missing, the suite fails naming its package before any port is opened.
    browser = await launchChromium();
    data = mkdtempSync(join(tmpdir(), 'torsion-words-interop-'));
    app = new WordsApplication({ irc: ['tcp:0:interface=127.0.0.1'], web: ['tcp:0:interface=127.0.0.1'], data, scrypt: { N: 1024, r: 8, p: 1 } });
    await app.startService();
    url = `http://127.0.0.1:${app.ports.web[0]}/`;
  });

  // after() may find nothing set up when before() failed (for instance, Chromium missing).
  after(async () => {
    for (const c of clients) c.connection?.end();
    await browser?.close();
    if (app?.running) await app.stopService();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  function ircUser(nick: string, extra: object = {}): Promise<IRCFrameworkClient> {
    return connectIRCFramework(clients, app.ports.irc[0], nick, extra);
  }

  async function webUser(nick: string, password?: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(url);
    // Before the page's script runs, Enter would submit the form as a plain GET.
    await page.waitForSelector('html[data-live-state=connected]', { timeout: 60_000 });
    await page.fill('input[name=nick]', nick);
    if (password !== undefined) await page.fill('input[name=password]', password);
    await page.press('input[name=nick]', 'Enter');
    await page.waitForSelector('input[name=message]', { state: 'visible', timeout: 60_000 });
    return page;
  }

  test('a line typed in the page reaches the IRC client, and one sent from IRC shows in the page as .message', { timeout: 180_000 }, async () => {
    const irc = await ircUser('ircfan');
    const joined = waitFor(irc, 'join', (e) => e.nick === 'ircfan' && e.channel === '#lobby');
    irc.join('#lobby');
    await joined;
    const webJoinSeen = waitFor(irc, 'join', (e) => e.nick === 'webfan' && e.channel === '#lobby');
    const page = await webUser('webfan');
    await webJoinSeen;

    const toIrc = waitFor(irc, 'message', (e) => e.message === 'hello from the browser, ünïcode ✓');
    await page.fill('input[name=message]', 'hello from the browser, ünïcode ✓');
    await page.press('input[name=message]', 'Enter');
    const m = await toIrc;
    assert.equal(m.nick, 'webfan');
    assert.equal(m.target, '#lobby');

    irc.say('#lobby', 'hello from IRC <b>not bold</b>');
    await waitForLine(page, 'ircfan', 'hello from IRC <b>not bold</b>');
    assert.equal(await page.$$eval('.message b', (n) => n.length), 0);

    const action = waitFor(irc, 'action', (e) => e.message === 'waves');
    await page.fill('input[name=message]', '/me waves');
    await page.press('input[name=message]', 'Enter');
    assert.equal((await action).nick, 'webfan');

    const members = await page.$$eval('[data-live-id=members] li', (lis) => lis.map((l) => l.textContent));
    assert.deepEqual(members.sort(), ['@ircfan', 'webfan']);
    await page.close();
  });

  test('a registered nick needs its password on the web as on IRC', { timeout: 180_000 }, async () => {
    await app.words.register('regular', 'open-sesame');
    const page = await browser.newPage();
    await page.goto(url);
    // Before the page's script runs, Enter would submit the form as a plain GET.
    await page.waitForSelector('html[data-live-state=connected]', { timeout: 60_000 });
    await page.fill('input[name=nick]', 'regular');
    await page.fill('input[name=password]', 'guess');
    await page.press('input[name=nick]', 'Enter');
    await page.waitForFunction(() => /incorrect/i.test(document.querySelector('[data-live-id=loginError]')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.equal(app.words.findUser('regular'), undefined);
    await page.close();

    const irc = await ircUser('watcher');
    irc.join('#lobby');
    await waitFor(irc, 'join', (e) => e.nick === 'watcher');
    const seen = waitFor(irc, 'join', (e) => e.nick === 'regular');
    const web = await webUser('regular', 'open-sesame');
    await seen;
    assert.equal(app.words.findUser('regular')?.account, 'regular');

    // The IRC side cannot take the nick while the page holds it.
    const thief = newIRCFrameworkClient();
    clients.push(thief);
    const refused = waitFor(thief, 'nick in use');
    thief.connect({ host: '127.0.0.1', port: app.ports.irc[0], nick: 'regular', username: 'x', gecos: 'x', auto_reconnect: false });
    await refused;
    thief.connection?.end();

    // Shutdown: the IRC client is told, and so is the page.
    const errorLine = waitFor<{ line: string; from_server: boolean }>(irc, 'raw', (e) => e.from_server && /(^| )ERROR :Closing Link/.test(e.line));
    const closed = waitFor(irc, 'close');
    await app.stopService();
    assert.match((await errorLine).line, /Server shutting down/);
    await closed;
    await web.waitForFunction(() => /Server shutting down/.test(document.querySelector('[data-live-id=loginError]')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.equal(await web.isVisible('input[name=nick]'), true);
  });
});
