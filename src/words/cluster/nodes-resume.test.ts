/**
 * A page whose node dies: two `torsion words` processes on one real redis-server behind a load balancer
 * without sticky sessions; the node holding a Chromium page is killed with -9 while an IRC user on the other
 * node goes on talking. The page loads itself again through the balancer, logs in on the survivor and shows
 * each line it missed once, in order, after the ones it had: the survivor's history is asked for the room's
 * lines after the last room sequence number the page had.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../../testing/chromium.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { linesFrom, logIn, startPageNodes, type PageNodes } from './test-support/page-nodes.js';

let setup: PageNodes;
let ircy: RawIRC | undefined;

before(async () => {
  setup = await startPageNodes(3);
});

after(async () => {
  ircy?.socket.destroy();
  await setup?.close();
});

test('a page whose node is killed comes back on the other node and sees each line it missed once, in order', { timeout: 120_000 }, async () => {
  const { nodes, proxy } = setup;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // The page lives on node 0, the IRC user on node 1.
    proxy.backends = [nodes[0]!.web];
    ircy = new RawIRC(nodes[1]!.irc);
    ircy.send('NICK ircy', 'USER ircy 0 * :ircy', 'JOIN #lobby');
    await ircy.waitFor(/ 366 ircy #lobby /);
    await logIn(page, proxy.port, 'wanda');
    await ircy.waitFor(/:wanda!\S+ JOIN #lobby/);
    const earlier = ['before 1', 'before 2', 'before 3'];
    for (const line of earlier) ircy.send(`PRIVMSG #lobby :${line}`);
    await page.waitForFunction(() => [...document.querySelectorAll('.message .text')].some((t) => t.textContent === 'before 3'), undefined, { timeout: 30_000 });
    assert.deepEqual(await linesFrom(page, 'ircy'), earlier);
    // Node 0 dies; the load balancer (its health check) sends everything to node 1 from now on.
    proxy.backends = [nodes[1]!.web];
    await nodes[0]!.kill();
    const missed = ['missed 1', 'missed 2', 'missed 3', 'missed 4'];
    for (const line of missed) ircy.send(`PRIVMSG #lobby :${line}`);
    // Its users quit on node 1; the page's user comes back there.
    await ircy.waitFor(/:wanda!\S+ QUIT :Node went away[^]*:wanda!\S+ JOIN #lobby/, 60);
    await page.waitForSelector('.event.reconnected', { timeout: 60_000 });
    ircy.send('PRIVMSG #lobby :after');
    await page.waitForFunction(() => [...document.querySelectorAll('.message .text')].some((t) => t.textContent === 'after'), undefined, { timeout: 30_000 });
    assert.deepEqual(await linesFrom(page, 'ircy'), [...earlier, ...missed, 'after']);
    assert.equal(await page.locator('.event.reconnected').textContent(), 'Reconnected', 'no line was past the scrollback');
    assert.match((await page.locator('.event.reconnected').getAttribute('data-after')) ?? '', /^\d+$/, 'the missed lines were asked for by room number');
  } finally {
    await browser.close();
  }
});
