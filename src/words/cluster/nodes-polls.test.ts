/**
 * Live pages across nodes without sticky sessions: two `torsion words` processes on one real redis-server
 * behind a load balancer that sends each HTTP request to the next node and refuses WebSockets. The page's
 * long polls land on both nodes; those for the other node are forwarded to the page's node over the bus.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../../testing/chromium.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { linesFrom, logIn, startPageNodes, type PageNodes } from './test-support/page-nodes.js';

let setup: PageNodes;
const clients: RawIRC[] = [];

before(async () => {
  setup = await startPageNodes(3);
});

after(async () => {
  for (const c of clients) c.socket.destroy();
  await setup?.close();
});

test('a page whose polls alternate between the nodes gets each line once, in order', { timeout: 120_000 }, async () => {
  const { nodes, proxy } = setup;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // The first request goes to node 0: the page lives there.
    await logIn(page, proxy.port, 'webby');
    const ircy = new RawIRC(nodes[1]!.irc);
    clients.push(ircy);
    ircy.send('NICK ircy', 'USER ircy 0 * :ircy');
    await ircy.waitFor(/ 001 ircy /);
    ircy.send('JOIN #lobby');
    await ircy.waitFor(/ 353 ircy = #lobby :[^\r]*webby/);
    const lines = Array.from({ length: 6 }, (_, i) => `line ${i + 1}`);
    // One at a time, each seen before the next is sent: every line is its own poll's answer.
    for (const [i, line] of lines.entries()) {
      ircy.send(`PRIVMSG #lobby :${line}`);
      await page.waitForFunction((n) => document.querySelectorAll('.message').length >= n, i + 1, { timeout: 30_000 });
    }
    await page.fill('input[name=message]', 'back to irc');
    await page.press('input[name=message]', 'Enter');
    await ircy.waitFor(/:webby!\S+ PRIVMSG #lobby :back to irc/);
    assert.deepEqual(await linesFrom(page, 'ircy'), lines);
    const polls = proxy.requests.filter((r) => r.path.includes('/_live/poll') && r.status === 200);
    for (const method of ['GET', 'POST']) {
      const ports = new Set(polls.filter((r) => r.method === method).map((r) => r.port));
      assert.deepEqual([...ports].sort(), [nodes[0]!.web, nodes[1]!.web].sort(), `${method} polls answered by both nodes`);
    }
    assert.ok(proxy.requests.every((r) => r.status !== 410), 'no poll found its connection gone');
  } finally {
    await browser.close();
  }
});
