/**
 * Live pages across nodes: a web chat page on one words node and an IRC user on another, one real
 * redis-server between them (loopback ports), in one room both ways. The two nodes are applications in
 * this process, each with its own Redis connections (nodes.test.ts runs them as processes).
 */
import { after, before, test } from 'node:test';
import { launchChromium } from '../../testing/chromium.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WordsApplication } from '../plugin.js';

let redis: PeerProgram;
const nodes: { web: number; irc: number }[] = [];
const apps: WordsApplication[] = [];
const dirs: string[] = [];
const clients: RawIRC[] = [];

before(async () => {
  redis = await startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
  });
  const url = `redis://127.0.0.1:${redis.port}/0`;
  for (let i = 0; i < 2; i++) {
    dirs.push(mkdtempSync(join(tmpdir(), 'torsion-words-web-node-')));
    const app = new WordsApplication({ irc: ['tcp:0:interface=127.0.0.1'], web: ['tcp:0:interface=127.0.0.1'], data: dirs[i], redis: url, scrypt: { N: 1024, r: 8, p: 1 } });
    apps.push(app);
    await app.startService();
    nodes.push({ web: app.ports.web[0], irc: app.ports.irc[0] });
  }
});

after(async () => {
  for (const c of clients) c.socket.destroy();
  for (const app of apps) if (app.running) await app.stopService();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await redis?.stop();
});

async function irc(node: number, nick: string): Promise<RawIRC> {
  const c = new RawIRC(nodes[node].irc);
  clients.push(c);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor(new RegExp(` 001 ${nick} `));
  return c;
}

test('a web page on one node sees an IRC user of another', { timeout: 120_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${nodes[0].web}/`);
    // Before the page's script runs, Enter would submit the form as a plain GET.
    await page.waitForSelector('html[data-live-state=connected]', { timeout: 60_000 });
    await page.fill('input[name=nick]', 'webby');
    await page.press('input[name=nick]', 'Enter');
    await page.waitForSelector('input[name=message]', { state: 'visible', timeout: 60_000 });
    const ircUser = await irc(1, 'ircy');
    ircUser.send('JOIN #lobby');
    await ircUser.waitFor(/:webby!\S+ JOIN #lobby|353 ircy = #lobby :[^\r]*webby/);
    ircUser.send('PRIVMSG #lobby :hello page on node 0');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.message')].some((m) => m.querySelector('.nick')?.textContent === 'ircy' && m.querySelector('.text')?.textContent === 'hello page on node 0'),
      undefined,
      { timeout: 60_000 },
    );
    await page.fill('input[name=message]', 'hello irc on node 1');
    await page.press('input[name=message]', 'Enter');
    await ircUser.waitFor(/:webby!\S+ PRIVMSG #lobby :hello irc on node 1/);
  } finally {
    await browser.close();
  }
});
