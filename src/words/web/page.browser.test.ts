/**
 * The chat page in headless Chromium: its security headers and strict Content-Security-Policy (and that the
 * page still boots and chats under it, over both transports), its icon, its layout at phone and desktop
 * sizes (screenshots are saved under the OS temp folder), and the small things a new user meets: help,
 * the nick rule, a registration confirmed, leaving the last room, member lists kept by changes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.js';
import { LiveHarness } from '../../live/testing/index.js';
import { createWordsService, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { createWebChat } from './index.js';

/** Where the layout screenshots go. */
const SHOTS = join(tmpdir(), 'torsion-words-chat');
const WAIT = { timeout: 30_000 };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

/** Records what a page refuses or fails to load: CSP violations, console errors, HTTP errors. */
async function watch(page: Page): Promise<{ violations: () => Promise<string[]>; problems: string[] }> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}`));
  await page.addInitScript(() => {
    const seen: string[] = ((globalThis as unknown as { cspViolations: string[] }).cspViolations = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  return { problems, violations: () => page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations) };
}

async function enter(page: Page, nick: string): Promise<void> {
  await page.fill('input[name=nick]', nick);
  await page.press('input[name=nick]', 'Enter');
  await page.waitForSelector('input[name=message]', { state: 'visible', ...WAIT });
  await page.waitForFunction(() => document.querySelector('[data-live-id=roomName]')?.textContent !== '', null, WAIT);
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('input[name=message]', text);
  await page.press('input[name=message]', 'Enter');
}

/** Waits for an event line holding `text` in the visible log. */
async function waitForEvent(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => [...document.querySelectorAll('.log:not([hidden]) .event')].some((e) => e.textContent!.includes(t)), text, WAIT);
}

async function members(page: Page): Promise<string[]> {
  return page.$$eval('[data-live-id=members] li', (lis) => lis.map((l) => l.textContent!));
}

async function waitForMembers(page: Page, expected: string[]): Promise<void> {
  await page
    .waitForFunction((want) => JSON.stringify([...document.querySelectorAll('[data-live-id=members] li')].map((l) => l.textContent)) === want, JSON.stringify(expected), WAIT)
    .catch(async () => assert.deepEqual(await members(page), expected));
}

for (const transport of ['websocket', 'polling'] as const) {
  describe(`chat page security over ${transport}`, () => {
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

    test('no framing, a strict CSP with a nonce, and the page boots and chats under it', async () => {
      const res = await fetch(harness.url('/'));
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      const html = await res.text();
      for (const script of html.match(/<script\b[^>]*>/g)!) assert.ok(script.includes(`nonce="${nonce}"`), script);

      let tabSeen: Awaited<ReturnType<typeof watch>> | undefined;
      const tab = await harness.open('/', { prepare: async (p) => void (tabSeen = await watch(p)) });
      await enter(tab.page, `csp${transport}`);
      const bot = await service.login(`cspbot${transport}`, { client: new RecordingClient() });
      bot.join('#lobby');
      bot.send('#lobby', 'hello under CSP');
      await tab.page.waitForFunction(() => [...document.querySelectorAll('.message .text')].some((t) => t.textContent === 'hello under CSP'), null, WAIT);
      assert.equal(await tab.transport(), transport);
      assert.deepEqual(await tabSeen!.violations(), []);
      assert.deepEqual(tabSeen!.problems, []);

      // What the policy is for: script injected into the page does not run.
      const ran = await tab.page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'globalThis.injected = 1';
        document.head.append(s);
        await new Promise((r) => setTimeout(r, 100));
        return (globalThis as unknown as { injected?: number }).injected;
      });
      assert.equal(ran, undefined);
      assert.ok((await tabSeen!.violations()).some((v) => v.startsWith('script-src')));
      bot.quit();
    });
  });
}

describe('chat page', () => {
  let service: WordsService;
  let harness: LiveHarness;
  before(async () => {
    service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 } });
    await service.start();
    harness = await LiveHarness.start({ '': createWebChat(service) }, browser);
  });
  after(async () => {
    await harness.close();
    await service.stop();
  });

  test('another site cannot frame it', async () => {
    const page = await browser.newPage();
    const seen: string[] = [];
    page.on('response', (r) => seen.push(`${r.status()} ${r.url()}`));
    await page.setContent(`<iframe src="${harness.url('/')}" width="600" height="400"></iframe>`);
    await page.waitForFunction(() => document.querySelector('iframe') !== null);
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const inside = frame ? await frame.$$('input[name=nick]').then((n) => n.length).catch(() => 0) : 0;
    assert.equal(inside, 0, `the chat must not render in a frame (${seen.join(', ')})`);
    await page.close();
  });

  test('the icon is served and linked; nothing 404s', async () => {
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.goto(harness.url('/'));
    const icon = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel=icon]')!.href;
      const r = await fetch(href);
      return { href, status: r.status, type: r.headers.get('content-type'), body: await r.text() };
    });
    assert.equal(icon.href, harness.url('/favicon.svg'));
    assert.equal(icon.status, 200);
    assert.equal(icon.type, 'image/svg+xml');
    assert.match(icon.body, /^<svg /);
    assert.deepEqual(seen.problems, []);
    await page.close();
  });

  test('phone and desktop layouts: everything on screen, no sideways scrolling, three columns only when wide', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const bot = await service.login('layoutbot', { client: new RecordingClient() });
    bot.join('#lobby');
    bot.setTopic('#lobby', 'Where the web chat and IRC meet');
    const measure = (page: Page) =>
      page.evaluate(() => {
        // No helper functions in here: the page does not have the test runner's transpiler helpers.
        const parts = { send: '.say button', input: '.say input', log: '.logs', rooms: 'aside.rooms', members: 'aside.members' };
        const boxes = {} as Record<keyof typeof parts, { left: number; right: number; top: number; bottom: number; width: number; height: number }>;
        for (const [name, sel] of Object.entries(parts)) {
          const r = document.querySelector(sel)!.getBoundingClientRect();
          boxes[name as keyof typeof parts] = { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
        }
        return { width: innerWidth, height: innerHeight, scrollWidth: document.documentElement.scrollWidth, ...boxes };
      });
    const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    for (const [name, viewport] of [
      ['phone', { width: 390, height: 844 }],
      ['desktop', { width: 1280, height: 800 }],
    ] as const) {
      const page = await browser.newPage({ viewport });
      await page.goto(harness.url('/'));
      const login = await page.evaluate(() => ({ right: document.querySelector('.login')!.getBoundingClientRect().right, width: innerWidth, scrollWidth: document.documentElement.scrollWidth }));
      assert.ok(login.right <= login.width && login.scrollWidth <= login.width, `${name}: the nick form fits (${JSON.stringify(login)})`);
      await enter(page, `layout${name}`);
      bot.send('#lobby', `a long line for the ${name} layout: ${'wrapping words '.repeat(12)}and an unbroken ${'x'.repeat(80)}`);
      await say(page, 'hello from my screen');
      await page.waitForFunction(() => [...document.querySelectorAll('.message .text')].some((t) => t.textContent === 'hello from my screen'), null, WAIT);
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
      const m = (results[name] = await measure(page));
      const where = `${name}: ${JSON.stringify(m)}`;
      assert.ok(m.scrollWidth <= m.width, `no sideways scrolling, ${where}`);
      assert.ok(m.send.left >= 0 && m.send.right <= m.width && m.send.top >= 0 && m.send.bottom <= m.height, `Send on screen, ${where}`);
      assert.ok(m.input.width >= m.width * 0.5 || m.input.width >= 400, `the message field is wide, ${where}`);
      assert.ok(m.log.height >= m.height * 0.5, `the open room takes most of the height, ${where}`);
      await page.close();
    }
    const phone = results.phone!;
    assert.ok(phone.rooms.width > 300 && phone.members.width > 300, 'on a phone the side columns become full-width strips');
    assert.ok(phone.rooms.bottom <= phone.log.top && phone.members.bottom <= phone.log.top, 'above the open room');
    const desk = results.desktop!;
    assert.ok(desk.rooms.right <= desk.log.left && desk.log.right <= desk.members.left, 'on a desktop: rooms | room | people');
    assert.ok(Math.abs(desk.rooms.top - desk.members.top) < 1);
    bot.quit();
  });

  test('help reads as help, the nick rule is told, a registration is confirmed, leaving the last room leaves a hint', async () => {
    const tab = await harness.open('/');
    await tab.page.fill('input[name=nick]', 'bad nick!');
    await tab.page.press('input[name=nick]', 'Enter');
    await tab.page.waitForFunction(() => /up to 30 characters/.test(document.querySelector('[data-live-id=loginError]')?.textContent ?? ''), null, WAIT);
    assert.match((await tab.page.textContent('[data-live-id=loginError]'))!, /letters a-z.*digits.*not starting with a digit or -/);

    await tab.page.fill('input[name=nick]', 'newcomer');
    await tab.page.fill('input[name=password]', 'a-good-password');
    await tab.page.click('button[value=register]');
    await waitForEvent(tab.page, 'Registered newcomer');

    await say(tab.page, '/help');
    await waitForEvent(tab.page, 'Commands:');
    const help = await tab.page.$eval('.log:not([hidden]) .event:last-child', (e) => ({ cls: e.className, color: getComputedStyle(e).color }));
    assert.equal(help.cls, 'event');
    await say(tab.page, '/frobnicate');
    await waitForEvent(tab.page, 'Unknown command');
    const error = await tab.page.$eval('.log:not([hidden]) .event:last-child', (e) => getComputedStyle(e).color);
    assert.notEqual(help.color, error, 'help is not coloured like an error');

    await say(tab.page, '/part');
    await tab.page.waitForSelector('[data-live-id=nowhere]:not([hidden])', WAIT);
    assert.match((await tab.page.textContent('[data-live-id=nowhere]'))!, /You are in no room.*\/join #room.*newcomer left #lobby/s);
    assert.equal(await tab.page.isVisible('.say button'), true);
    await say(tab.page, 'anyone?');
    await waitForEvent(tab.page, 'You are in no room: type /join #room');
    await say(tab.page, '/join #back');
    await tab.page.waitForFunction(() => document.querySelector('[data-live-id=roomName]')?.textContent === '#back', null, WAIT);
    assert.equal(await tab.page.isHidden('[data-live-id=nowhere]'), true);
    assert.deepEqual(tab.errors, []);
  });

  test('the member list follows joins, role changes, renames, parts and quits', async () => {
    const tab = await harness.open('/');
    await enter(tab.page, 'watcher');
    await say(tab.page, '/join #watch');
    await tab.page.waitForFunction(() => document.querySelector('[data-live-id=roomName]')?.textContent === '#watch', null, WAIT);
    const bot = await service.login('botty', { client: new RecordingClient() });
    const other = await service.login('other', { client: new RecordingClient() });
    const before = ['@watcher'];
    await waitForMembers(tab.page, before);
    bot.join('#watch');
    other.join('#watch');
    await waitForMembers(tab.page, [...before, 'botty', 'other']);
    service.findUser('watcher')!.changeRoom('#watch', [{ role: 'voice', nick: 'botty', granted: true }]);
    await waitForMembers(tab.page, [...before, '+botty', 'other']);
    await bot.setNick('robot');
    await waitForMembers(tab.page, [...before, '+robot', 'other']);
    await waitForEvent(tab.page, 'botty is now known as robot');
    bot.part('#watch', 'bye');
    await waitForMembers(tab.page, [...before, 'other']);
    other.quit('gone');
    await waitForMembers(tab.page, before);
    await waitForEvent(tab.page, 'other quit (gone)');
    bot.quit();
    assert.deepEqual(tab.errors, []);
  });
});
