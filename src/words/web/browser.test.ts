/**
 * The web chat in headless Chromium against a real words service: the nick form, the lobby, lines both
 * ways between two pages and a service-side user, scrollback, switching rooms, registered nicks, and
 * escaping of everything users type.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.js';
import { LiveHarness } from '../../live/testing/index.js';
import { createWordsService, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { createWebChat } from './index.js';
import { eventually } from '../../testing/index.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

/** Logs a page in as `nick` and waits for the lobby to show. */
async function enter(page: Page, nick: string, password?: string): Promise<void> {
  await page.fill('input[name=nick]', nick);
  if (password !== undefined) await page.fill('input[name=password]', password);
  await page.press('input[name=nick]', 'Enter');
  await page.waitForSelector('input[name=message]', { state: 'visible', timeout: 30_000 });
  assert.equal(await page.isHidden('input[name=nick]'), true, 'the nick form goes away');
}

/** Types a line in the message field and presses Enter. */
async function say(page: Page, text: string): Promise<void> {
  await page.fill('input[name=message]', text);
  await page.press('input[name=message]', 'Enter');
}

/** The visible chat lines of a page as "nick: text". */
async function lines(page: Page): Promise<string[]> {
  return page.$$eval('.log:not([hidden]) .message', (nodes) => nodes.map((n) => `${n.querySelector('.nick')!.textContent}: ${n.querySelector('.text')!.textContent}`));
}

async function waitForLine(page: Page, nick: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([n, t]) => [...document.querySelectorAll('.log:not([hidden]) .message')].some((m) => m.querySelector('.nick')?.textContent === n && m.querySelector('.text')?.textContent === t),
    [nick, text] as const,
    { timeout: 30_000 },
  );
}

for (const transport of ['websocket', 'polling'] as const) {
  describe(`web chat over ${transport}`, () => {
    let service: WordsService;
    let harness: LiveHarness;
    before(async () => {
      service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 } });
      await service.start();
      harness = await LiveHarness.start({ '': createWebChat(service, { transports: [transport] }) }, browser);
    });
    after(async () => {
      await harness.close();
      await service.stop();
    });

    test('a guest picks a nick, lands in #lobby, and lines go both ways with another page and a service user', async () => {
      const robot = new RecordingClient();
      const bot = await service.login(`bot${transport}`, { client: robot });
      bot.join('#lobby');
      const a = await harness.open('/');
      const b = await harness.open('/');
      await enter(a.page, `ann${transport}`);
      await enter(b.page, `bob${transport}`);
      assert.equal(await a.page.textContent('[data-live-id=roomName]'), '#lobby');
      assert.ok(service.findRoom('#lobby')!.membership(service.findUser(`ann${transport}`)!));
      await say(a.page, 'hello from ann');
      await waitForLine(b.page, `ann${transport}`, 'hello from ann');
      await waitForLine(a.page, `ann${transport}`, 'hello from ann');
      assert.ok(robot.events.includes(`message ann${transport}->#lobby: hello from ann`));
      bot.send('#lobby', 'beep');
      await waitForLine(a.page, `bot${transport}`, 'beep');
      await waitForLine(b.page, `bot${transport}`, 'beep');
      const members = await b.page.$$eval('[data-live-id=members] li', (lis) => lis.map((l) => l.textContent));
      assert.ok(members.includes(`ann${transport}`) && members.includes(`bob${transport}`), members.join(','));
      bot.quit();
      assert.deepEqual(a.errors, []);
    });

    test('a joiner gets the scrollback; rooms can be switched', async () => {
      const robot = new RecordingClient();
      const bot = await service.login(`hist${transport}`, { client: robot });
      bot.join('#history');
      for (let i = 1; i <= 3; i++) bot.send('#history', `old line ${i}`);
      await service.store.flush();
      const tab = await harness.open('/');
      await enter(tab.page, `late${transport}`);
      await say(tab.page, '/join #history');
      await tab.page.waitForFunction(() => document.querySelector('[data-live-id=roomName]')?.textContent === '#history', null, { timeout: 30_000 });
      await waitForLine(tab.page, `hist${transport}`, 'old line 3');
      const shown = await lines(tab.page);
      assert.deepEqual(shown.slice(0, 3), [1, 2, 3].map((i) => `hist${transport}: old line ${i}`));
      await say(tab.page, 'in history');
      await waitForLine(tab.page, `late${transport}`, 'in history');
      assert.ok(robot.events.includes(`message late${transport}->#history: in history`));
      // Back to the lobby through the room list: the lobby's lines show, not #history's.
      await tab.page.click('[data-live-id=rooms] button:text("#lobby")');
      await tab.page.waitForFunction(() => document.querySelector('[data-live-id=roomName]')?.textContent === '#lobby', null, { timeout: 30_000 });
      assert.ok(!(await lines(tab.page)).some((l) => l.includes('old line')));
      bot.quit();
    });

    test('what users type is shown as text, never run as markup', async () => {
      const robot = new RecordingClient();
      const bot = await service.login(`xss${transport}`, { client: robot });
      const room = `#xss${transport}`;
      bot.join(room);
      bot.setTopic(room, '<i onmouseover="window.pwned=3">topic</i>');
      const tab = await harness.open('/');
      await enter(tab.page, `safe${transport}`);
      await say(tab.page, `/join ${room}`);
      await tab.page.waitForFunction((r) => document.querySelector('[data-live-id=roomName]')?.textContent === r, room, { timeout: 30_000 });
      const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>';
      bot.send(room, evil);
      await waitForLine(tab.page, `xss${transport}`, evil);
      await say(tab.page, evil);
      await waitForLine(tab.page, `safe${transport}`, evil);
      await tab.page.waitForFunction((t) => document.querySelector('.topic')?.textContent === t, '<i onmouseover="window.pwned=3">topic</i>', { timeout: 30_000 });
      assert.equal(await tab.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      assert.equal(await tab.page.$$eval('.logs img, .logs script, .logs b, .topic i', (n) => n.length), 0);
      bot.quit();
    });

    test('a registered nick needs its password; a new nick can be registered from the page', async () => {
      await service.register(`owner${transport}`, 'right-password');
      const tab = await harness.open('/');
      await tab.page.fill('input[name=nick]', `owner${transport}`);
      await tab.page.press('input[name=nick]', 'Enter');
      await tab.page.waitForFunction(() => /password/i.test(document.querySelector('[data-live-id=loginError]')?.textContent ?? ''), null, { timeout: 30_000 });
      await tab.page.fill('input[name=password]', 'wrong-password');
      await tab.page.press('input[name=password]', 'Enter');
      await tab.page.waitForFunction(() => /incorrect/i.test(document.querySelector('[data-live-id=loginError]')?.textContent ?? ''), null, { timeout: 30_000 });
      assert.equal(service.findUser(`owner${transport}`), undefined);
      await enter(tab.page, `owner${transport}`, 'right-password');
      assert.equal(service.findUser(`owner${transport}`)?.account, `owner${transport}`);

      const other = await harness.open('/');
      await other.page.fill('input[name=nick]', `newbie${transport}`);
      await other.page.fill('input[name=password]', 'sekrit-pw');
      await other.page.click('button[value=register]');
      await other.page.waitForSelector('input[name=message]', { state: 'visible', timeout: 30_000 });
      assert.equal(await service.isRegistered(`newbie${transport}`), true);
      // The page is closed: over a WebSocket its last call says so and the user goes offline at once. (Long
      // polling cannot count on a request made while the page unloads: there the grace period ends the session.)
      if (transport !== 'websocket') return;
      await other.page.close();
      await eventually(() => service.findUser(`newbie${transport}`) === undefined, { message: 'the closed page was never logged out' });
    });
  });
}
